using System.Text.Json.Serialization;

namespace Dspy;

/// <summary>
/// DSPy's <c>dspy.Image</c>: an image input held as an http(s)/gs URL or a base64 data URI. Construction does no I/O;
/// <see cref="FromFile"/> and <see cref="FromUrlAsync"/> load and encode explicitly. In a prompt it becomes an
/// <c>image_url</c> content part (a <c>UriContent</c> or <c>DataContent</c> in the chat message).
/// </summary>
[JsonConverter(typeof(DspyTypeJsonConverter<Image>))]
public sealed class Image : IDspyType, IPythonRepresentable, IEquatable<Image>
{
    private static readonly Dictionary<string, string> s_mimeByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        ["png"] = "image/png", ["jpg"] = "image/jpeg", ["jpeg"] = "image/jpeg", ["gif"] = "image/gif", ["webp"] = "image/webp",
        ["bmp"] = "image/bmp", ["svg"] = "image/svg+xml", ["tif"] = "image/tiff", ["tiff"] = "image/tiff", ["ico"] = "image/vnd.microsoft.icon",
        ["heic"] = "image/heic", ["avif"] = "image/avif",
    };

    /// <summary>Creates an image from a URL (http, https or gs) or a data URI.</summary>
    /// <exception cref="ArgumentException">The string is neither.</exception>
    public Image(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        url = PythonText.Strip(url);
        if (!url.StartsWith("data:", StringComparison.Ordinal) && !IsUrl(url))
        {
            throw new ArgumentException($"Unrecognized image string: {url}. Local files must be loaded with Image.from_path().", nameof(url));
        }
        Url = url;
    }

    /// <summary>Creates an image from raw bytes and their MIME type, as a base64 data URI.</summary>
    public Image(ReadOnlySpan<byte> data, string mimeType)
    {
        ArgumentException.ThrowIfNullOrEmpty(mimeType);
        Url = $"data:{mimeType};base64,{Convert.ToBase64String(data)}";
    }

    /// <summary>The URL or data URI.</summary>
    public string Url { get; }

    /// <summary>DSPy's <c>Image.from_path</c>: reads a local file and encodes it as a data URI (MIME type from the extension).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static Image FromFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"File not found: {path}", path);
        var mime = GuessMimeType(path) ?? throw new ArgumentException($"Could not determine MIME type for file: {path}", nameof(path));
        return new Image(File.ReadAllBytes(path), mime);
    }

    /// <summary>An image referenced by an http(s) URL, without downloading it (use <see cref="FromUrlAsync"/> to embed the bytes).</summary>
    public static Image FromUrl(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"Image.from_url requires an HTTP(S) URL, received: {url}", nameof(url));
        }
        return new Image(url);
    }

    /// <summary>
    /// DSPy's <c>Image.from_url</c>: with <paramref name="download"/> fetches the http(s) resource and encodes it as a
    /// data URI (MIME type from the response, else the extension); without it keeps the URL.
    /// </summary>
    public static async Task<Image> FromUrlAsync(Uri url, bool download = true, HttpClient? httpClient = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (url.Scheme is not ("http" or "https")) throw new ArgumentException($"Image.from_url requires an HTTP(S) URL, received: {url}", nameof(url));
        if (!download) return new Image(url.ToString());
        var ownClient = httpClient is null;
        var client = httpClient ?? new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            using var response = await client.GetAsync(url, cancellationToken).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var mime = response.Content.Headers.ContentType?.ToString();
            if (string.IsNullOrEmpty(mime)) mime = GuessMimeType(url.AbsolutePath) ?? throw new ArgumentException($"Could not determine MIME type for URL: {url}", nameof(url));
            return new Image(bytes, mime);
        }
        finally
        {
            if (ownClient) client.Dispose();
        }
    }

    /// <summary>The MIME type implied by a path's extension, or null.</summary>
    public static string? GuessMimeType(string path)
    {
        var ext = Path.GetExtension(path).TrimStart('.');
        return s_mimeByExtension.TryGetValue(ext, out var mime) ? mime : null;
    }

    /// <summary>True if the URL is a base64 data URI.</summary>
    public bool IsDataUri => Url.StartsWith("data:", StringComparison.Ordinal);

    /// <summary>The media type: from the data URI, else guessed from the URL's extension (<c>image/*</c> when unknown).</summary>
    public string MediaType
    {
        get
        {
            if (IsDataUri)
            {
                var header = Url[5..Math.Max(5, Url.IndexOf(',', StringComparison.Ordinal))];
                var semi = header.IndexOf(';', StringComparison.Ordinal);
                var media = semi >= 0 ? header[..semi] : header;
                return media.Length > 0 ? media : "application/octet-stream";
            }
            return Uri.TryCreate(Url, UriKind.Absolute, out var u) ? GuessMimeType(u.AbsolutePath) ?? "image/*" : "image/*";
        }
    }

    /// <summary>DSPy's <c>format()</c>: one <c>image_url</c> content part.</summary>
    public object Format() => new List<object?>
    {
        new Dictionary<string, object?> { ["type"] = "image_url", ["image_url"] = new Dictionary<string, object?> { ["url"] = Url } },
    };

    /// <summary>Parses the shapes DSPy's validator accepts: an <see cref="Image"/>, a URL or data URI string, or <c>{"url": ...}</c>.</summary>
    public static Image Validate(object? value) => value switch
    {
        Image i => i,
        string s when s.StartsWith(IDspyType.CustomTypeStart, StringComparison.Ordinal) => FromMarker(s),
        string s => new Image(s),
        IDictionary<string, object?> d when d.Count == 1 && d.TryGetValue("url", out var u) && u is string us => new Image(us),
        _ => throw new ArgumentException($"Unsupported image type: {PythonRepr.Repr(value)}"),
    };

    // A serialised image (the custom-type marker text) read back, e.g. when a record holding an image round-trips through JSON.
    private static Image FromMarker(string marker)
    {
        var parts = ChatMessages.SplitCustomTypes(marker);
        return parts.Count == 1 && parts[0] switch
        {
            Microsoft.Extensions.AI.UriContent u => new Image(u.Uri.ToString()),
            Microsoft.Extensions.AI.DataContent d => new Image(d.Uri),
            _ => null,
        } is { } image ? image : throw new ArgumentException($"Unsupported image type: {PythonRepr.Repr(marker)}");
    }

    private static bool IsUrl(string s) =>
        Uri.TryCreate(s, UriKind.Absolute, out var u) && u.Scheme is "http" or "https" or "gs" && !string.IsNullOrEmpty(u.Host);

    /// <summary>DSPy's repr: base64 data is shown as <c>&lt;IMAGE_BASE_64_ENCODED(n)&gt;</c>.</summary>
    public string ToPythonRepr()
    {
        var marker = Url.IndexOf("base64,", StringComparison.Ordinal);
        if (Url.Contains("base64", StringComparison.Ordinal) && marker >= 0)
        {
            var length = Url.Length - marker - "base64,".Length;
            var header = Url.Split(';')[0];
            var imageType = header[(header.LastIndexOf('/') + 1)..];
            return $"Image(url=data:image/{imageType};base64,<IMAGE_BASE_64_ENCODED({length})>)";
        }
        return $"Image(url='{Url}')";
    }

    /// <summary>DSPy's <c>str(image)</c>: the serialised marker text.</summary>
    public override string ToString() => (string)((IDspyType)this).Serialize()!;

    /// <inheritdoc/>
    public bool Equals(Image? other) => other is not null && other.Url == Url;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Image);

    /// <inheritdoc/>
    public override int GetHashCode() => Url.GetHashCode(StringComparison.Ordinal);
}
