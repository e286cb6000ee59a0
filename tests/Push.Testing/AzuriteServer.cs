namespace Push.Testing;

/// <summary>
/// Azurite (npm) started on free loopback ports for one test class or collection, and stopped after it.
/// In memory by default; with <see cref="StartOnDiskAsync"/> it keeps its data in a folder so a restart
/// test can stop and start it again on the same ports.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    // Azurite's well-known development account (public, documented by Microsoft; not a secret).
    public const string AccountName = "devstoreaccount1";
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly string? _location;
    private ChildProcess? _process;

    private AzuriteServer(int blobPort, int queuePort, int tablePort, string? location)
    {
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
        _location = location;
    }

    public int BlobPort { get; }
    public int QueuePort { get; }
    public int TablePort { get; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{AccountName};" +
        $"QueueEndpoint=http://127.0.0.1:{QueuePort}/{AccountName};" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/{AccountName};";

    public static async Task<AzuriteServer> StartAsync()
    {
        var server = new AzuriteServer(FreePorts.Next(), FreePorts.Next(), FreePorts.Next(), location: null);
        await server.RestartAsync();
        return server;
    }

    public static async Task<AzuriteServer> StartOnDiskAsync(string location)
    {
        Directory.CreateDirectory(location);
        var server = new AzuriteServer(FreePorts.Next(), FreePorts.Next(), FreePorts.Next(), location);
        await server.RestartAsync();
        return server;
    }

    /// <summary>Starts Azurite (again) on the same ports.</summary>
    public async Task RestartAsync()
    {
        if (_process is not null) await StopAsync();
        var arguments = new List<string>
        {
            "--silent", "--skipApiVersionCheck", "--loose",
            "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
            "--blobPort", BlobPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--queuePort", QueuePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--tablePort", TablePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (_location is null) arguments.Add("--inMemoryPersistence");
        else arguments.AddRange(["--location", _location]);

        var process = ChildProcess.Start(RepositoryPaths.NodeBin("azurite"), arguments);
        _process = process;
        foreach (var port in new[] { BlobPort, QueuePort, TablePort })
        {
            await FreePorts.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(30), () => "azurite output:\n" + process.Output);
        }
    }

    public async Task StopAsync()
    {
        if (_process is null) return;
        await _process.StopAsync(TimeSpan.FromSeconds(3));
        await _process.DisposeAsync();
        _process = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
