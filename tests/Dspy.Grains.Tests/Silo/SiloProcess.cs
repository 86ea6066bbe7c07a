using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Dspy.Grains.Tests.Silo;

/// <summary>A silo started as its own process (<c>dotnet Dspy.Silo.dll</c>, as <c>dotnet run --project src/Silo</c> runs it).</summary>
internal sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private SiloProcess(Process process, int httpPort, int siloPort, int gatewayPort)
    {
        _process = process;
        HttpPort = httpPort;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
    }

    public int HttpPort { get; }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public string Output { get { lock (_output) return _output.ToString(); } }

    public static string SiloDll => Path.Combine(AppContext.BaseDirectory, "Dspy.Silo.dll");

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static SiloProcess Start(IReadOnlyDictionary<string, string> environment)
    {
        int http = FreePort(), silo = FreePort(), gateway = FreePort();
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        psi.ArgumentList.Add(SiloDll);
        psi.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{http}";
        psi.Environment["Dspy__Cluster__SiloPort"] = silo.ToString(System.Globalization.CultureInfo.InvariantCulture);
        psi.Environment["Dspy__Cluster__GatewayPort"] = gateway.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start the silo process.");
        var result = new SiloProcess(process, http, silo, gateway);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (result._output) result._output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (result._output) result._output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    /// <summary>Waits until <c>/health/ready</c> answers 200 (the silo joined its cluster).</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The silo exited with {_process.ExitCode}:\n{Output}");
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{HttpPort}/health/ready"));
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The silo was not ready within {timeout}:\n{Output}");
    }

    public async Task<int> ExitCodeAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
