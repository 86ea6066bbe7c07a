using System.Reflection;
using ModelContextProtocol.Client;

namespace Dspy.Tests.Tools;

/// <summary>
/// Starts the real MCP test server (tests/Dspy.McpTestServer, built with this project) as a child process over stdio,
/// and stops it when the tests are done.
/// </summary>
public sealed class McpServerFixture : IAsyncLifetime
{
    public McpClient Client { get; private set; } = null!;

    public static string ServerPath
    {
        get
        {
            var path = typeof(McpServerFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .Single(a => a.Key == "McpTestServerPath").Value!;
            path = Path.GetFullPath(path);
            if (!File.Exists(path)) throw new FileNotFoundException($"The MCP test server was not built at {path}.", path);
            return path;
        }
    }

    public async Task InitializeAsync()
    {
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "dspy-test-server",
            // The SDK tells child processes which dotnet host runs them; fall back to the one on PATH.
            Command = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet",
            Arguments = [ServerPath],
        });
        Client = await McpClient.CreateAsync(transport);
    }

    public async Task DisposeAsync()
    {
        if (Client is not null) await Client.DisposeAsync();
    }
}
