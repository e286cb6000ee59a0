using Push.Providers.Fcm;
using Push.Providers.Results;
using Push.Providers.Tests.Support;

namespace Push.Providers.Tests.Integration;

/// <summary>Both clients reach the sandbox through an authenticating HTTP CONNECT proxy.</summary>
public sealed class ProxyTests
{
    [Fact]
    public async Task Apns_goes_through_the_proxy_with_credentials_over_one_tunnel()
    {
        await using var rig = await SandboxRig.StartAsync();
        await using var proxy = new ConnectProxy("relay", "s3cret-proxy-pass");
        rig.ApnsOptions.Proxy = new ProxyOptions { Address = proxy.Address, Username = "relay", Password = "s3cret-proxy-pass" };
        using var issuer = rig.CreateIssuer();
        using var client = rig.CreateApnsClient(issuer);

        for (var i = 0; i < 3; i++)
        {
            Assert.IsType<PushAccepted>(await client.SendAsync(SandboxRig.Push(SandboxRig.DeviceToken(i)), CancellationToken.None));
        }

        Assert.Equal(1, proxy.Tunnels);
        Assert.Equal($"127.0.0.1:{rig.Sandbox.ApnsEndpoint.Port}", Assert.Single(proxy.Targets));
        Assert.Equal(3, rig.Sandbox.ApnsPushes.Count);
    }

    [Fact]
    public async Task Apns_without_proxy_credentials_never_reaches_the_sandbox()
    {
        await using var rig = await SandboxRig.StartAsync();
        await using var proxy = new ConnectProxy("relay", "s3cret-proxy-pass");
        rig.ApnsOptions.Proxy = new ProxyOptions { Address = proxy.Address };
        using var issuer = rig.CreateIssuer();
        using var client = rig.CreateApnsClient(issuer);

        var ex = await Assert.ThrowsAsync<PushTransportException>(() => client.SendAsync(SandboxRig.Push(SandboxRig.DeviceToken(1)), CancellationToken.None));

        Assert.Equal(PushFailureReason.NetworkFailure, ex.Reason);
        Assert.Equal(0, proxy.Tunnels);
        Assert.True(proxy.Refusals >= 1);
        Assert.Empty(rig.Sandbox.AllRequests);
    }

    [Fact]
    public async Task Fcm_and_its_token_endpoint_go_through_the_proxy()
    {
        await using var rig = await SandboxRig.StartAsync();
        await using var proxy = new ConnectProxy("relay", "s3cret-proxy-pass");
        rig.FcmOptions.Proxy = new ProxyOptions { Address = proxy.Address, Username = "relay", Password = "s3cret-proxy-pass" };
        using var tokens = rig.CreateTokenSource();
        using var client = rig.CreateFcmClient(tokens);

        var result = await client.SendAsync(new FcmMessage("proxy-registration-token-0001", new Dictionary<string, string> { ["k"] = "v" }, FcmAndroidPriority.Normal, null, null), CancellationToken.None);

        Assert.IsType<PushAccepted>(result);
        // One tunnel for the OAuth token request (Google.Apis.Auth's client), one for FCM itself.
        Assert.Equal(2, proxy.Tunnels);
        Assert.All(proxy.Targets, t => Assert.Equal($"127.0.0.1:{rig.Sandbox.FcmEndpoint.Port}", t));
        Assert.Equal(1, rig.Sandbox.AccessTokensIssued);
    }
}
