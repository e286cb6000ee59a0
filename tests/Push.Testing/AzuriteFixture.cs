using Xunit;

namespace Push.Testing;

/// <summary>xunit fixture: one in-memory Azurite per test class or collection that uses it.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteServer? _server;

    public AzuriteServer Server => _server ?? throw new InvalidOperationException("Azurite not started");
    public string ConnectionString => Server.ConnectionString;

    public async Task InitializeAsync() => _server = await AzuriteServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }

    /// <summary>A queue or table name no other test uses (lower-case letters and digits, as Storage requires).</summary>
    public static string UniqueName(string prefix) =>
        (prefix + Guid.NewGuid().ToString("N")[..12]).ToLowerInvariant();
}
