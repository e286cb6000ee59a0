using System.Text;
using Push.Core.Events;
using Push.EndToEnd.Tests.Infrastructure;

namespace Push.EndToEnd.Tests;

/// <summary>
/// Distinctive caller names, numbers, previews, conversation ids, keys and tokens go through the whole
/// relay; none of them may appear in clear in any provider request or in any line the host logged.
/// </summary>
[Collection(RelayCollection.Name)]
public sealed class PrivacyCanaryEndToEndTests(RelayEnvironment env)
{
    [Fact]
    public async Task No_personal_data_key_or_token_appears_in_provider_requests_or_logs()
    {
        var canary = "CANARY" + Guid.NewGuid().ToString("N")[..8];
        var user = TestDevice.NewUser();
        var iphone = await env.RegisterAsync(TestDevice.IPhone(user));
        var chinaIphone = await env.RegisterAsync(TestDevice.IPhone(user, region: "CN"));
        var android = await env.RegisterAsync(TestDevice.Android(user));
        var producer = new PushEventWriter("/e2e");
        var events = new[]
        {
            producer.Create(user, new CallIncomingData("call-" + canary, new Party("Name" + canary, "+1999" + canary[6..]), "audio", 60, "node" + canary)),
            producer.Create(user, new CallEndedData("call-" + canary, CallEndReasons.Missed, new Party("Name" + canary, "+1999" + canary[6..]))),
            producer.Create(user, new ImMessageData("conv" + canary, "msg" + canary, new ImSender("From" + canary, "addr" + canary), "Preview" + canary, 2)),
        };
        foreach (var evt in events) await env.PublishAsync(evt);
        foreach (var evt in events) await env.WaitForOutcomesAsync(evt.TrackingId, 3);

        var secrets = new List<string> { canary, canary[6..], user, iphone.PushToken, iphone.VoipToken!, chinaIphone.PushToken, android.PushToken };
        secrets.AddRange(new[] { iphone, chinaIphone, android }.Select(d => Convert.ToBase64String(d.Key)));

        var providerTraffic = new StringBuilder();
        foreach (var push in env.Sandbox.ApnsPushes.Where(p => p.DeviceToken == iphone.PushToken || p.DeviceToken == iphone.VoipToken || p.DeviceToken == chinaIphone.PushToken))
        {
            providerTraffic.AppendLine(push.BodyText);
            foreach (var (name, value) in push.Headers.Where(h => h.Key != ":path")) providerTraffic.AppendLine($"{name}: {value}");
        }
        foreach (var message in env.Sandbox.FcmMessages.Where(m => m.Token == android.PushToken))
        {
            providerTraffic.AppendLine(message.RawBody.Replace(android.PushToken, "<token>", StringComparison.Ordinal));
        }
        Assert.True(providerTraffic.Length > 0);
        foreach (var secret in secrets.Where(s => s != iphone.PushToken && s != iphone.VoipToken && s != chinaIphone.PushToken && s != android.PushToken))
        {
            Assert.DoesNotContain(secret, providerTraffic.ToString(), StringComparison.Ordinal);
        }

        var logs = env.Relay!.Output;
        Assert.Contains(events[0].TrackingId, logs, StringComparison.Ordinal); // the logs do speak of these events ...
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);   // ... without what they carry.
        }
    }
}
