using Push.Core.Events;
using Push.Core.Ledger;
using Push.EndToEnd.Tests.Infrastructure;
using Push.Sandbox;
using Push.Testing;

namespace Push.EndToEnd.Tests;

/// <summary>
/// The FCM OAuth token endpoint answers 503 from the moment the relay starts (so no access token exists
/// anywhere), and recovers later: an outage, retried with back-off and delivered after it.
/// </summary>
public sealed class TokenEndpointOutageEndToEndTests(TokenEndpointOutageEndToEndTests.Environment env)
    : IClassFixture<TokenEndpointOutageEndToEndTests.Environment>
{
    public sealed class Environment : RelayEnvironment
    {
        protected override void BeforeRelayStarts() =>
            Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.OAuth, Kind = SandboxFaultKind.Reject, Reason = "temporarily_unavailable" });

        public override Dictionary<string, string?> Settings()
        {
            var settings = base.Settings();
            // A retry budget that outlasts the outage, and a sender that asks for a token again soon after it.
            settings["Delivery__RetryBudget"] = "00:01:00";
            settings["ProviderTokens__FailureBackoff"] = "00:00:01";
            return settings;
        }
    }

    [Fact]
    public async Task An_android_push_waits_out_a_token_endpoint_outage_and_is_delivered_after_it()
    {
        var user = TestDevice.NewUser();
        var android = await env.RegisterAsync(TestDevice.Android(user));
        var im = await env.PublishAsync(new PushEventWriter("/e2e").Create(user, new ImMessageData("c", "m", new ImSender(null, "a@b.c"), "hi", 1)));

        // During the outage: no final outcome, a pending row that names it.
        LedgerEntry? pending = null;
        await Eventually.TrueAsync(async () =>
        {
            pending = (await env.Ledger.GetAsync(im.TrackingId, default)).Values.SingleOrDefault();
            return pending is { Status: DeliveryStatus.Pending };
        }, "a pending outcome during the outage", TimeSpan.FromSeconds(30));
        Assert.Equal("TokenEndpointUnavailable", pending!.Reason);
        Assert.DoesNotContain(env.Sandbox.FcmMessages, m => m.Token == android.PushToken);

        env.Sandbox.Faults.Clear();

        var outcome = Assert.Single((await env.WaitForOutcomesAsync(im.TrackingId, 1, TimeSpan.FromSeconds(45))).Values);
        Assert.Equal(DeliveryStatus.Delivered, outcome.Status);
        Assert.True(outcome.Attempts >= 2, $"{outcome.Attempts} attempt(s)");
        Assert.Single(env.Sandbox.FcmMessages, m => m.Token == android.PushToken);
        var log = env.Relay!.Output;
        Assert.Contains("the OAuth token endpoint is unavailable", log, StringComparison.Ordinal);
        Assert.DoesNotContain("check Fcm:ServiceAccountPath", log, StringComparison.Ordinal);
    }
}
