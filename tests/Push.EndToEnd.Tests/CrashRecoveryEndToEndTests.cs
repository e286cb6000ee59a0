using Push.EndToEnd.Tests.Infrastructure;

namespace Push.EndToEnd.Tests;

/// <summary>
/// A host killed (SIGKILL) mid-batch: the messages come back after their visibility lease and are
/// processed once more, and no device that already has a final outcome is pushed again.
/// Runs on its own Azurite, sandbox and host, since it kills the host. The restarted host reuses the
/// provider token the first one stored (the sandbox enforces Apple's 20-minute rule).
/// </summary>
public sealed class CrashRecoveryEndToEndTests : IAsyncLifetime
{
    private readonly RelayEnvironment _env = new();

    public Task InitializeAsync() => _env.InitializeAsync();

    public Task DisposeAsync() => _env.DisposeAsync();

    [Fact]
    public async Task A_host_killed_mid_batch_and_restarted_pushes_no_device_twice()
    {
        var batch = await MidBatch.StartAsync(_env, users: 6);

        await _env.RestartRelayAsync(kill: true);
        _env.Sandbox.Faults.Clear();

        await batch.AssertEveryDevicePushedOnceAsync(_env, TimeSpan.FromMinutes(2));
    }
}
