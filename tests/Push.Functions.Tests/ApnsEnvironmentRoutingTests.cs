using Push.Core.Dispatch;
using Push.Core.Registry;
using Push.Core.Routing;
using Push.Providers.Apns;
using Push.Providers.Fcm;
using Push.Providers.Results;

namespace Push.Functions.Tests;

/// <summary>
/// A token from a development build is only valid at Apple's development endpoint: the dispatcher sends each APNs push
/// to the client of its device's environment, and FCM pushes to FCM. (Which client each environment gets from the
/// settings is <see cref="CompositionTests"/>'.)
/// </summary>
public sealed class ApnsEnvironmentRoutingTests
{
    private static readonly ApnsNotification Notification = new(new string('a', 64), ApnsPushType.Alert, "com.example.phone", 10,
        null, null, Guid.NewGuid(), "{}"u8.ToArray());

    [Theory]
    [InlineData(PushEnvironment.Production, "production")]
    [InlineData(PushEnvironment.Sandbox, "development")]
    public async Task An_apns_push_goes_to_the_client_of_its_devices_environment(PushEnvironment environment, string expected)
    {
        var production = new RecordingApnsClient("production");
        var development = new RecordingApnsClient("development");
        var dispatcher = new ProviderDispatcher(new ApnsClientsByEnvironment(production, development), new UnusedFcmClient());

        var result = await dispatcher.SendAsync(new ComposedPush.Apns(Notification, environment), CancellationToken.None);

        Assert.Equal(expected, Assert.IsType<PushAccepted>(result).ProviderMessageId);
        Assert.Equal(expected == "production" ? 1 : 0, production.Sent);
        Assert.Equal(expected == "development" ? 1 : 0, development.Sent);
    }

    private sealed class RecordingApnsClient(string name) : IApnsClient
    {
        public int Sent { get; private set; }

        public Task<PushResult> SendAsync(ApnsNotification notification, CancellationToken cancellationToken)
        {
            Sent++;
            return Task.FromResult<PushResult>(PushResult.Accepted(name));
        }
    }

    private sealed class UnusedFcmClient : IFcmClient
    {
        public Task<PushResult> SendAsync(FcmMessage message, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("an APNs push reached FCM");
    }
}
