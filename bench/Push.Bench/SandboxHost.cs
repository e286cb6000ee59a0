using System.Text.Json;
using Push.Sandbox;

namespace Push.Bench;

/// <summary>
/// The sandbox in its own process, so the peers and our clients all talk to the same server over loopback
/// and none of them shares a process with it. Token-update rate checks are off: h2load, node-apn and our
/// client each present their own (valid) provider token within the same 20 minutes.
/// </summary>
internal static class SandboxHost
{
    public static async Task<int> RunAsync(string stateDirectory)
    {
        using var shutdown = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; shutdown.Cancel(); };
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; shutdown.Cancel(); });

        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions
        {
            StateDirectory = stateDirectory,
            GenerateCredentials = true,
            EnforceTokenUpdateRate = false,
        });
        var credentials = sandbox.GeneratedCredentials!;
        var info = new SandboxInfo(
            sandbox.ApnsEndpoint.AbsoluteUri, sandbox.FcmEndpoint.AbsoluteUri, sandbox.CaCertificatePath,
            credentials.TeamId, credentials.KeyId, credentials.ApnsKeyPath, credentials.BundleIds[0],
            credentials.ServiceAccountPath, credentials.ProjectId);
        Console.WriteLine("SANDBOX " + JsonSerializer.Serialize(info));
        Console.WriteLine("Sandbox ready");

        // The sandbox records every push; a benchmark sends hundreds of thousands, so the records are dropped as they come.
        try
        {
            while (!shutdown.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), shutdown.Token);
                sandbox.ClearRecords();
            }
        }
        catch (OperationCanceledException)
        {
            // SIGTERM from the harness.
        }
        return 0;
    }
}

internal sealed record SandboxInfo(
    string ApnsEndpoint, string FcmEndpoint, string CaPath, string TeamId, string KeyId, string ApnsKeyPath,
    string BundleId, string ServiceAccountPath, string ProjectId);
