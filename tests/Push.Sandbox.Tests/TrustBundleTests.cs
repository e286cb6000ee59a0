namespace Push.Sandbox.Tests;

/// <summary>
/// Another process trusts the sandbox through SSL_CERT_FILE=trust-bundle.pem alone, with the platform's
/// ordinary validation, and does not trust it without.
/// </summary>
public sealed class TrustBundleTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private async Task<(int ExitCode, string Output)> ProbeAsync(string? sslCertFile)
    {
        var environment = new Dictionary<string, string?> { ["SSL_CERT_FILE"] = sslCertFile, ["SSL_CERT_DIR"] = null };
        await using var probe = SandboxProcess.Start(["probe", new Uri(fixture.Sandbox.ControlEndpoint, "health").ToString()], environment);
        var exit = await probe.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exit, probe.Output);
    }

    [Fact]
    public async Task Trust_bundle_in_SSL_CERT_FILE_makes_a_default_client_trust_the_sandbox()
    {
        var (exit, output) = await ProbeAsync(fixture.Sandbox.TrustBundlePath);

        Assert.True(exit == 0, output);
        Assert.Contains("probe: 200", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_trust_bundle_the_certificate_is_refused()
    {
        var (exit, output) = await ProbeAsync(null);

        Assert.True(exit == 1, output);
        Assert.Contains("SSL", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Trust_bundle_keeps_the_system_roots_and_adds_the_sandbox_ca()
    {
        var bundle = File.ReadAllText(fixture.Sandbox.TrustBundlePath);
        var ca = File.ReadAllText(fixture.Sandbox.CaCertificatePath);

        Assert.EndsWith(ca, bundle, StringComparison.Ordinal);
        if (File.Exists("/etc/ssl/certs/ca-certificates.crt"))
        {
            Assert.StartsWith(File.ReadAllText("/etc/ssl/certs/ca-certificates.crt").TrimEnd(), bundle, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("PRIVATE KEY", ca, StringComparison.Ordinal);
    }
}
