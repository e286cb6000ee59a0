using Push.Testing;

namespace Push.EndToEnd.Tests.Infrastructure;

/// <summary>`push` as an operator or producer runs it: a separate process with the relay's settings as its environment.</summary>
public static class PushCli
{
    /// <summary>Runs <c>push</c> with <paramref name="arguments"/> and gives back its exit code and everything it printed.</summary>
    public static async Task<(int Exit, string Output)> RunAsync(IReadOnlyDictionary<string, string?> settings, string workingDirectory,
        params string[] arguments)
    {
        await using var process = ChildProcess.Start("dotnet", [BuiltProgram.Cli, .. arguments], workingDirectory, settings);
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exit, process.Output);
    }

    /// <summary>Runs <c>push</c> with the environment's settings (the transport it uses included).</summary>
    public static Task<(int Exit, string Output)> RunAsync(RelayEnvironment env, params string[] arguments) =>
        RunAsync(env.Settings(), Path.GetTempPath(), arguments);

    /// <summary>The last line <c>push publish</c> printed: the event's tracking id.</summary>
    public static string TrackingId((int Exit, string Output) publish)
    {
        Assert.True(publish.Exit == 0, publish.Output);
        var trackingId = publish.Output.Trim().Split('\n')[^1].Trim();
        Assert.True(Guid.TryParse(trackingId, out _), publish.Output);
        return trackingId;
    }
}
