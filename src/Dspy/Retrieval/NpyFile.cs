using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Dspy;

/// <summary>
/// Reads and writes 1-D and 2-D arrays in NumPy's <c>.npy</c> format (version 1.0, little-endian, C order), the format
/// DSPy's <c>Embeddings.save</c> uses for the corpus embeddings, so a saved index can be read by numpy and back.
/// </summary>
internal static partial class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public static void WriteFloat32(string path, float[] data, int rows, int columns)
    {
        if ((long)rows * columns != data.Length) throw new ArgumentException($"{data.Length} values do not fill a {rows} x {columns} array.", nameof(data));
        var payload = new byte[data.Length * 4];
        for (var i = 0; i < data.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(payload.AsSpan(i * 4), data[i]);
        Write(path, "<f4", $"({rows}, {columns})", payload);
    }

    public static void WriteInt32(string path, int[] data)
    {
        var payload = new byte[data.Length * 4];
        for (var i = 0; i < data.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(i * 4), data[i]);
        Write(path, "<i4", $"({data.Length},)", payload);
    }

    public static (float[] Data, int Rows, int Columns) ReadFloat32(string path)
    {
        var (payload, shape) = Read(path, "<f4");
        if (shape.Length != 2) throw new InvalidDataException($"{path}: expected a 2-D array, found shape ({string.Join(", ", shape)}).");
        var data = new float[payload.Length / 4];
        for (var i = 0; i < data.Length; i++) data[i] = BinaryPrimitives.ReadSingleLittleEndian(payload.AsSpan(i * 4));
        return (data, shape[0], shape[1]);
    }

    public static int[] ReadInt32(string path)
    {
        var (payload, shape) = Read(path, "<i4");
        if (shape.Length != 1) throw new InvalidDataException($"{path}: expected a 1-D array, found shape ({string.Join(", ", shape)}).");
        var data = new int[payload.Length / 4];
        for (var i = 0; i < data.Length; i++) data[i] = BinaryPrimitives.ReadInt32LittleEndian(payload.AsSpan(i * 4));
        return data;
    }

    private static void Write(string path, string descr, string shape, byte[] payload)
    {
        var header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        // The header (with magic, version and length) is padded with spaces and ends in \n at a multiple of 64 bytes.
        var total = Magic.Length + 2 + 2 + header.Length + 1;
        header += new string(' ', (64 - total % 64) % 64) + "\n";
        using var stream = File.Create(path);
        stream.Write(Magic);
        stream.Write([1, 0]);
        Span<byte> len = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(len, checked((ushort)header.Length));
        stream.Write(len);
        stream.Write(Encoding.ASCII.GetBytes(header));
        stream.Write(payload);
    }

    private static (byte[] Payload, int[] Shape) Read(string path, string expectedDescr)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic)) throw new InvalidDataException($"{path} is not a .npy file.");
        int headerLength;
        int offset;
        if (bytes[6] == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
            offset = 10;
        }
        else if (bytes[6] is 2 or 3 && bytes.Length >= 12)
        {
            headerLength = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
            offset = 12;
        }
        else throw new InvalidDataException($"{path}: unsupported .npy version {bytes[6]}.");
        if (offset + headerLength > bytes.Length) throw new InvalidDataException($"{path}: the .npy header is cut off.");
        var header = Encoding.Latin1.GetString(bytes, offset, headerLength);
        var descr = DescrPattern().Match(header);
        if (!descr.Success || descr.Groups[1].Value != expectedDescr)
        {
            throw new InvalidDataException($"{path}: expected dtype {expectedDescr}, found {(descr.Success ? descr.Groups[1].Value : "none")}.");
        }
        if (FortranPattern().IsMatch(header)) throw new InvalidDataException($"{path}: Fortran-order arrays are not supported.");
        var shapeMatch = ShapePattern().Match(header);
        if (!shapeMatch.Success) throw new InvalidDataException($"{path}: the .npy header has no shape.");
        var shape = shapeMatch.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var expected = shape.Aggregate(1L, (a, b) => a * b) * 4;
        var payloadLength = bytes.Length - offset - headerLength;
        if (payloadLength != expected) throw new InvalidDataException($"{path}: shape ({string.Join(", ", shape)}) needs {expected} bytes of data, the file has {payloadLength}.");
        return (bytes.AsSpan(offset + headerLength).ToArray(), shape);
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*True")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
