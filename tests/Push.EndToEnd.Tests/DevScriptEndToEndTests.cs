using System.Diagnostics;
using System.Net.Sockets;
using Push.EndToEnd.Tests.Infrastructure;
using Push.Testing;

namespace Push.EndToEnd.Tests;

/// <summary>
/// scripts/dev as a developer runs it, on free ports and a folder of its own, stopped the way a terminal's
/// Ctrl-C stops it: SIGINT to its whole process group.
/// </summary>
public sealed class DevScriptEndToEndTests : IAsyncLifetime
{
    private readonly TempDirectory _local = new();
    private readonly int[] _ports = [FreePorts.Next(), FreePorts.Next(), FreePorts.Next(), FreePorts.Next(), FreePorts.Next()];
    private ChildProcess? _script;

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Ctrl_c_stops_the_relay_before_storage_and_a_clean_stop_prints_no_warning()
    {
        // setsid: the script leads a process group of its own, as a shell's foreground job does.
        _script = ChildProcess.Start("setsid", ["bash", "scripts/dev"], RepositoryPaths.Root, new Dictionary<string, string?>
        {
            ["PUSH_DEV_DIR"] = _local.Path,
            ["PUSH_DEV_CONFIGURATION"] = BuiltProgram.Configuration,
            ["PUSH_DEV_BUILD"] = "0",
            ["PUSH_DEV_BLOB_PORT"] = Port(0),
            ["PUSH_DEV_QUEUE_PORT"] = Port(1),
            ["PUSH_DEV_TABLE_PORT"] = Port(2),
            ["PUSH_DEV_APNS_PORT"] = Port(3),
            ["PUSH_DEV_FCM_PORT"] = Port(4),
        });
        await _script.WaitForOutputAsync("==> ready after", TimeSpan.FromMinutes(3));
        // Both timers take their leases at start: stopping must release them while Storage is still up.
        await _script.WaitForOutputAsync("Timer RefreshProviderTokens ran for", TimeSpan.FromSeconds(60));

        SignalGroup(_script.Id, "INT");
        int exit;
        try
        {
            exit = await _script.WaitForExitAsync(TimeSpan.FromSeconds(90));
        }
        catch (OperationCanceledException)
        {
            var left = string.Join("\n", ProcessesOfThisRun().Select(Describe));
            throw new Xunit.Sdk.XunitException($"scripts/dev did not end within 90 s of Ctrl-C (exited: {_script.HasExited}); its processes:\n{left}\noutput:\n{_script.Output}");
        }

        var output = _script.Output;
        Assert.True(exit == 130, output);
        Assert.Contains("Stopping: listeners stop", output, StringComparison.Ordinal);
        Assert.Contains("Host stopped", output, StringComparison.Ordinal);
        Assert.Contains("lease released True", output, StringComparison.Ordinal);
        var complaints = output.Split('\n').Where(l =>
            l.Contains(" warn: ", StringComparison.Ordinal) || l.Contains(" fail: ", StringComparison.Ordinal) ||
            l.Contains(" crit: ", StringComparison.Ordinal) || l.Contains("did not stop", StringComparison.Ordinal) ||
            l.Contains("Killed", StringComparison.Ordinal)).ToList();
        Assert.True(complaints.Count == 0, string.Join('\n', complaints));
        Assert.Empty(ProcessesOfThisRun());
        Assert.All(_ports, port => Assert.False(Listening(port), $"port {port} still open"));
    }

    private string Port(int index) => _ports[index].ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static void SignalGroup(int groupLeader, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, "--", "-" + groupLeader.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    private static bool Listening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string Describe(int pid)
    {
        try
        {
            return $"{pid}: {File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ')}";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"{pid}: gone";
        }
    }

    /// <summary>Every process started by this run of the script: they all inherit its PUSH_DEV_DIR.</summary>
    private List<int> ProcessesOfThisRun()
    {
        var marker = "PUSH_DEV_DIR=" + _local.Path + "\0";
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "environ")).Contains(marker, StringComparison.Ordinal)) found.Add(pid);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not ours to read.
            }
        }
        return found;
    }

    public async Task DisposeAsync()
    {
        // A failed test must not leave Azurite, the sandbox or the relay behind (they run in sessions of their own).
        if (_script is not null)
        {
            if (!_script.HasExited) SignalGroup(_script.Id, "TERM");
            try
            {
                await _script.WaitForExitAsync(TimeSpan.FromSeconds(60));
            }
            catch (OperationCanceledException)
            {
                // Still running: DisposeAsync kills it, and the loop below its children.
            }
            await _script.DisposeAsync();
        }
        foreach (var pid in ProcessesOfThisRun())
        {
            try
            {
                Process.GetProcessById(pid).Kill();
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }
        _local.Dispose();
    }
}
