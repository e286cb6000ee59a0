using System.Globalization;
using Xunit;

namespace Push.Testing;

/// <summary>
/// One real RabbitMQ 3.10 (Debian's rabbitmq-server with rabbitmq_amqp1_0) per test class, started as ENVIRONMENT.md
/// says in a temp dir, on free ports for AMQP, Erlang distribution and epmd so parallel runs never meet. Installed by
/// scripts/lib/rabbitmq.sh. Stopped with rabbitmqctl shutdown; the epmd it started is ended through its own port.
/// </summary>
public sealed class RabbitMqFixture : IAsyncLifetime
{
    private const string Bin = "/usr/lib/rabbitmq/bin/";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "push-rabbitmq-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly Dictionary<string, string?> _environment = new();
    private ChildProcess? _server;

    public int Port { get; } = FreePorts.Next();
    private readonly int _distPort = FreePorts.Next();
    private readonly int _epmdPort = FreePorts.Next();
    private string NodeName => $"push{Port}@localhost";

    public string ConnectionString => $"Endpoint=sb://127.0.0.1:{Port}/;SharedAccessKeyName=guest;SharedAccessKey=guest;TransportType=amqp";

    public Dictionary<string, string?> Settings() => new()
    {
        ["ServiceBusConnection"] = ConnectionString,
        ["AzureFunctionsJobHost:extensions:serviceBus:authMode"] = "saslPlain",
        ["AzureFunctionsJobHost:extensions:serviceBus:broker"] = "rabbitMq",
        ["AzureFunctionsJobHost:extensions:serviceBus:maxReconnectDelay"] = "00:00:01",
        ["AzureFunctionsJobHost:extensions:serviceBus:maxConcurrentCalls"] = "4",
        ["AzureFunctionsJobHost:extensions:serviceBus:maxDeliveryCount"] = "3",
    };

    public async Task InitializeAsync()
    {
        if (!File.Exists(Bin + "rabbitmq-server"))
        {
            throw new InvalidOperationException("rabbitmq-server is not installed: run scripts/lib/rabbitmq.sh (scripts/test does)");
        }
        Directory.CreateDirectory(_dir);
        await File.WriteAllTextAsync(Path.Combine(_dir, "rabbitmq.conf"), string.Join('\n',
            $"listeners.tcp.default = 127.0.0.1:{Port}",
            $"distribution.listener.port_range.min = {_distPort}",
            $"distribution.listener.port_range.max = {_distPort}",
            "distribution.listener.interface = 127.0.0.1",
            "management_agent.disable_metrics_collector = true",
            ""));
        _environment["HOME"] = _dir;
        _environment["RABBITMQ_NODENAME"] = NodeName;
        _environment["ERL_EPMD_ADDRESS"] = "127.0.0.1";
        _environment["ERL_EPMD_PORT"] = _epmdPort.ToString(CultureInfo.InvariantCulture);
        _environment["RABBITMQ_CONFIG_FILE"] = Path.Combine(_dir, "rabbitmq.conf");
        _environment["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(_dir, "enabled_plugins");
        _environment["RABBITMQ_MNESIA_BASE"] = Path.Combine(_dir, "mnesia");
        _environment["RABBITMQ_LOG_BASE"] = Path.Combine(_dir, "log");
        _environment["RABBITMQ_DIST_PORT"] = _distPort.ToString(CultureInfo.InvariantCulture);

        await RunAsync("rabbitmq-plugins", "enable", "--offline", "rabbitmq_amqp1_0");
        _server = ChildProcess.Start(Bin + "rabbitmq-server", [], _dir, _environment);
        await AwaitStartupAsync(_server, TimeSpan.FromMinutes(2));
        await FreePorts.WaitUntilListeningAsync(Port, TimeSpan.FromSeconds(60), () => _server.Output);
    }

    /// <summary>
    /// await_startup fails at once while the node has not yet registered with epmd, so it is retried until the node
    /// answers, the server exits, or the time is up.
    /// </summary>
    private async Task AwaitStartupAsync(ChildProcess server, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                await RunAsync("rabbitmqctl", "-n", NodeName, "await_startup", "--timeout", "60");
                return;
            }
            catch (InvalidOperationException) when (!server.HasExited && DateTime.UtcNow < deadline)
            {
                await Task.Delay(1000);
            }
        }
    }

    /// <summary>Declares a durable classic queue that dead-letters (rejected) into <c>&lt;name&gt;-poison</c>, and that queue.</summary>
    public async Task DeclareQueueAsync(string name)
    {
        var poison = name + "-poison";
        await RunAsync("rabbitmqctl", "-n", NodeName, "eval",
            $"rabbit_amqqueue:declare(rabbit_misc:r(<<\"/\">>, queue, <<\"{poison}\">>), true, false, [], none, <<\"tests\">>), " +
            $"rabbit_amqqueue:declare(rabbit_misc:r(<<\"/\">>, queue, <<\"{name}\">>), true, false, " +
            $"[{{<<\"x-dead-letter-exchange\">>, longstr, <<\"\">>}}, {{<<\"x-dead-letter-routing-key\">>, longstr, <<\"{poison}\">>}}], none, <<\"tests\">>), ok.");
    }

    /// <summary>Stops the broker's applications (every connection drops), then starts them again.</summary>
    public async Task RestartAppAsync()
    {
        await RunAsync("rabbitmqctl", "-n", NodeName, "stop_app");
        await RunAsync("rabbitmqctl", "-n", NodeName, "start_app");
        await AwaitStartupAsync(_server!, TimeSpan.FromMinutes(1));
    }

    private async Task RunAsync(string tool, params string[] arguments)
    {
        await using var process = ChildProcess.Start(Bin + tool, arguments, _dir, _environment);
        var exit = await process.WaitForExitAsync(TimeSpan.FromMinutes(2));
        if (exit != 0) throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} exited {exit}:\n{process.Output}\n{_server?.Output}");
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            try
            {
                await RunAsync("rabbitmqctl", "-n", NodeName, "shutdown");
            }
            catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
            {
                // Fall through to ending the process ourselves.
            }
            await _server.StopAsync(TimeSpan.FromSeconds(10));
            await _server.DisposeAsync();
        }
        try
        {
            // The epmd the broker started listens on our port only; "epmd -kill" with ERL_EPMD_PORT ends exactly that one.
            await using var epmd = ChildProcess.Start("epmd", ["-kill"], _dir, _environment);
            await epmd.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or OperationCanceledException)
        {
            // No epmd on PATH or it is gone already.
        }
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A log file still held open: the temp dir is left for the OS.
        }
    }
}
