using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Push.Providers.Apns;
using Push.Providers.Fcm;
using Push.Providers.Results;
using Push.Providers.Tests.Support;
using Push.Testing;

namespace Push.Providers.Tests.Startup;

/// <summary>A bad setting stops the host at start with a message that names it and shows no secret.</summary>
public sealed class StartupValidationTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ECDsa _apnsKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    // RSA-2048 generation is slow on these cores; one key serves every case.
    private static readonly RSA SharedRsa = RSA.Create(2048);

    public void Dispose()
    {
        _apnsKey.Dispose();
        _dir.Dispose();
    }

    private Dictionary<string, string?> ValidApns() => new()
    {
        ["Apns:Endpoint"] = "https://127.0.0.1:1",
        ["Apns:TeamId"] = TestKeys.TeamId,
        ["Apns:KeyId"] = TestKeys.KeyId,
        ["Apns:PrivateKeyPath"] = TestKeys.WriteP8(_dir.Path, _apnsKey),
    };

    private Dictionary<string, string?> ValidFcm(Action<Dictionary<string, string>>? edit = null) => new()
    {
        ["Fcm:Endpoint"] = "https://127.0.0.1:1",
        ["Fcm:ServiceAccountPath"] = TestKeys.WriteServiceAccount(_dir.Path, SharedRsa, SandboxRig.ClientEmail, SandboxRig.ProjectId, new Uri("https://127.0.0.1:1/token"), edit: edit),
    };

    private static async Task<Exception?> StartHostAsync(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        if (settings.Keys.Any(k => k.StartsWith("Apns:", StringComparison.Ordinal)))
        {
            builder.Services.AddApnsClient(builder.Configuration);
        }
        if (settings.Keys.Any(k => k.StartsWith("Fcm:", StringComparison.Ordinal)))
        {
            builder.Services.AddFcmClient(builder.Configuration.GetSection("Fcm"));
        }
        using var host = builder.Build();
        try
        {
            await host.StartAsync();
            await host.StopAsync();
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    [Fact]
    public async Task Valid_settings_start_and_resolve_both_clients()
    {
        var settings = ValidApns().Concat(ValidFcm()).ToDictionary();

        Assert.Null(await StartHostAsync(settings));

        var services = new ServiceCollection().AddLogging().AddPushProviders(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        using var provider = services.BuildServiceProvider();
        Assert.IsType<ApnsClient>(provider.GetRequiredService<IApnsClient>());
        Assert.IsType<FcmClient>(provider.GetRequiredService<IFcmClient>());
        Assert.Same(provider.GetRequiredService<ApnsJwtIssuer>(), provider.GetRequiredService<IApnsProviderTokenSource>());
        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
    }

    public static TheoryData<string, string> ApnsBreakages => new()
    {
        { "garbage-p8", "Apns:PrivateKeyPath" },
        { "public-key-p8", "Apns:PrivateKeyPath" },
        { "p384-p8", "Apns:PrivateKeyPath" },
        { "missing-p8", "Apns:PrivateKeyPath" },
        { "team", "Apns:TeamId must be 10 characters" },
        { "key", "Apns:KeyId must be 10 characters" },
        { "http", "Apns:Endpoint" },
        { "refresh-short", "Apns:TokenRefreshInterval" },
        { "refresh-long", "Apns:TokenRefreshInterval" },
        { "ca", "Apns:TrustedCaPath" },
        { "proxy", "Apns:Proxy:Address" },
        { "connections", "Apns:Connections" },
    };

    [Theory]
    [MemberData(nameof(ApnsBreakages))]
    public async Task Bad_apns_setting_stops_the_host_naming_it(string breakage, string expected)
    {
        var settings = ValidApns();
        var keyPath = settings["Apns:PrivateKeyPath"]!;
        var pem = File.ReadAllText(keyPath);
        switch (breakage)
        {
            case "garbage-p8":
                File.WriteAllText(keyPath, pem.Replace(pem.Split('\n')[2], "!!!notbase64!!!"));
                break;
            case "public-key-p8":
                File.WriteAllText(keyPath, _apnsKey.ExportSubjectPublicKeyInfoPem());
                break;
            case "p384-p8":
                using (var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384))
                {
                    File.WriteAllText(keyPath, p384.ExportPkcs8PrivateKeyPem());
                }
                break;
            case "missing-p8": settings["Apns:PrivateKeyPath"] = _dir.File("nope.p8"); break;
            case "team": settings["Apns:TeamId"] = "team-1"; break;
            case "key": settings["Apns:KeyId"] = "ABC"; break;
            case "http": settings["Apns:Endpoint"] = "http://127.0.0.1:1"; break;
            case "refresh-short": settings["Apns:TokenRefreshInterval"] = "00:10:00"; break;
            case "refresh-long": settings["Apns:TokenRefreshInterval"] = "01:00:00"; break;
            case "ca": settings["Apns:TrustedCaPath"] = _dir.File("missing-ca.pem"); break;
            case "proxy": settings["Apns:Proxy:Address"] = "socks9://127.0.0.1:1"; break;
            case "connections": settings["Apns:Connections"] = "0"; break;
        }

        var ex = await StartHostAsync(settings);

        var failure = Assert.IsType<OptionsValidationException>(ex);
        Assert.Contains(expected, failure.Message);
        Assert.DoesNotContain(pem.Split('\n')[1].Trim(), failure.ToString());
        Assert.DoesNotContain(pem.Split('\n')[2].Trim(), failure.ToString());
    }

    public static TheoryData<string, string> FcmBreakages => new()
    {
        { "client_email", "'client_email'" },
        { "private_key", "'private_key'" },
        { "token_uri", "'token_uri'" },
        { "project_id", "'project_id'" },
        { "bad-key", "'private_key' that is not a PEM RSA private key" },
        { "not-json", "not valid JSON" },
        { "missing-file", "cannot be read" },
    };

    [Theory]
    [MemberData(nameof(FcmBreakages))]
    public async Task Bad_service_account_stops_the_host_naming_Fcm_ServiceAccountPath(string breakage, string expected)
    {
        var pemBody = SharedRsa.ExportPkcs8PrivateKeyPem().Split('\n')[1].Trim();
        var settings = ValidFcm(fields =>
        {
            if (breakage == "bad-key")
            {
                const string label = "PRIVATE KEY"; // the truncated key is built at run time from a generated one
                fields["private_key"] = $"-----BEGIN {label}-----\n" + pemBody[..40] + $"AAAA\n-----END {label}-----\n";
            }
            else if (fields.ContainsKey(breakage))
            {
                fields.Remove(breakage);
            }
        });
        if (breakage == "not-json")
        {
            File.WriteAllText(settings["Fcm:ServiceAccountPath"]!, "{\"private_key\": \"" + pemBody + "\", oops");
        }
        if (breakage == "missing-file")
        {
            settings["Fcm:ServiceAccountPath"] = _dir.File("absent.json");
        }

        var ex = await StartHostAsync(settings);

        var failure = Assert.IsType<OptionsValidationException>(ex);
        Assert.Contains("Fcm:ServiceAccountPath", failure.Message);
        Assert.Contains(expected, failure.Message);
        Assert.DoesNotContain(pemBody[..40], failure.ToString());
    }

    [Fact]
    public async Task ProjectId_override_allows_a_json_without_project_id()
    {
        var settings = ValidFcm(fields => fields.Remove("project_id"));
        settings["Fcm:ProjectId"] = "other-project";

        Assert.Null(await StartHostAsync(settings));
    }

    [Fact]
    public async Task Probe_fails_naming_Apns_Endpoint_for_an_HTTP11_only_TLS_server()
    {
        await using var server = new Http11TlsServer(_dir.File("h1.pem"));
        var options = new ApnsOptions { Endpoint = server.Endpoint, TrustedCaPath = _dir.File("h1.pem"), RequestTimeout = TimeSpan.FromSeconds(5) };

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => ApnsEndpointProbe.EnsureHttp2Async(options, CancellationToken.None));

        Assert.Contains("Apns:Endpoint", ex.Message);
        Assert.Contains("only HTTP/1.1", ex.Message);
    }

    [Fact]
    public async Task Probe_fails_naming_Apns_Endpoint_for_a_server_that_claims_h2_but_speaks_HTTP11()
    {
        await using var server = new Http11TlsServer(_dir.File("liar.pem"), System.Net.Security.SslApplicationProtocol.Http2);
        var options = new ApnsOptions { Endpoint = server.Endpoint, TrustedCaPath = _dir.File("liar.pem"), RequestTimeout = TimeSpan.FromSeconds(5) };

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => ApnsEndpointProbe.EnsureHttp2Async(options, CancellationToken.None));

        Assert.Contains("Apns:Endpoint", ex.Message);
        Assert.Contains("does not speak HTTP/2", ex.Message);
    }

    [Fact]
    public async Task Probe_negotiates_HTTP2_with_the_sandbox_without_sending_a_request()
    {
        await using var rig = await SandboxRig.StartAsync();

        await ApnsEndpointProbe.EnsureHttp2Async(rig.ApnsOptions, CancellationToken.None);

        // Apple defines only POST /3/device/<token>: the check must not call anything else.
        Assert.Empty(rig.Sandbox.AllRequests);
    }

    [Fact]
    public async Task Probe_goes_through_Apns_Proxy_and_sends_no_request()
    {
        await using var rig = await SandboxRig.StartAsync();
        await using var proxy = new ConnectProxy("relay", "s3cret-proxy-pass");
        rig.ApnsOptions.Proxy = new ProxyOptions { Address = proxy.Address, Username = "relay", Password = "s3cret-proxy-pass" };

        await ApnsEndpointProbe.EnsureHttp2Async(rig.ApnsOptions, CancellationToken.None);

        Assert.Equal($"127.0.0.1:{rig.Sandbox.ApnsEndpoint.Port}", Assert.Single(proxy.Targets));
        Assert.Empty(rig.Sandbox.AllRequests);
    }

    [Fact]
    public async Task Probe_fails_naming_Apns_Endpoint_for_plain_http()
    {
        var options = new ApnsOptions { Endpoint = new Uri("http://127.0.0.1:1") };

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => ApnsEndpointProbe.EnsureHttp2Async(options, CancellationToken.None));

        Assert.Contains("Apns:Endpoint", ex.Message);
    }

    [Fact]
    public async Task Probe_passes_for_the_sandbox_and_fails_without_its_CA()
    {
        await using var rig = await SandboxRig.StartAsync();

        await ApnsEndpointProbe.EnsureHttp2Async(rig.ApnsOptions, CancellationToken.None);

        rig.ApnsOptions.TrustedCaPath = _dir.File("h1-unrelated.pem");
        await using var unrelated = new Http11TlsServer(rig.ApnsOptions.TrustedCaPath);
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => ApnsEndpointProbe.EnsureHttp2Async(rig.ApnsOptions, CancellationToken.None));
        Assert.Contains("Apns:Endpoint", ex.Message);
        Assert.Contains("certificate", ex.Message);
    }

    [Fact]
    public async Task Di_registered_clients_send_to_the_sandbox()
    {
        await using var rig = await SandboxRig.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Apns:Endpoint"] = rig.ApnsOptions.Endpoint.AbsoluteUri,
            ["Apns:TeamId"] = rig.ApnsOptions.TeamId,
            ["Apns:KeyId"] = rig.ApnsOptions.KeyId,
            ["Apns:PrivateKeyPath"] = rig.ApnsOptions.PrivateKeyPath,
            ["Apns:TrustedCaPath"] = rig.Sandbox.CaCertificatePath,
            ["Apns:Connections"] = "2",
            ["Fcm:Endpoint"] = rig.FcmOptions.Endpoint.AbsoluteUri,
            ["Fcm:ServiceAccountPath"] = rig.FcmOptions.ServiceAccountPath,
            ["Fcm:TrustedCaPath"] = rig.Sandbox.CaCertificatePath,
        };
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddPushProviders(builder.Configuration);
        using var host = builder.Build();
        await host.StartAsync();

        var apns = await host.Services.GetRequiredService<IApnsClient>().SendAsync(SandboxRig.Push(SandboxRig.DeviceToken(1)), CancellationToken.None);
        var fcm = await host.Services.GetRequiredService<IFcmClient>().SendAsync(
            new FcmMessage("di-registration-token-00001", new Dictionary<string, string> { ["k"] = "v" }, FcmAndroidPriority.High, TimeSpan.FromSeconds(10), null), CancellationToken.None);

        Assert.IsType<PushAccepted>(apns);
        Assert.IsType<PushAccepted>(fcm);
        await host.StopAsync();
    }
}
