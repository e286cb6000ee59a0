using Azure.Core;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Push.Core.DeadLetters;
using Push.Core.Delivery;
using Push.Core.ServiceBus;
using Push.Providers.Results;

namespace Push.Functions.Tests;

/// <summary>
/// The pipeline's verdict in Service Bus's terms, as the worker's processors apply it: done completes the message, a
/// dead letter goes to the dead-letter subqueue with the reason's text form and a description. (A retry's scheduled copy
/// needs a broker: the Service Bus end-to-end tests follow it.)
/// </summary>
public sealed class ServiceBusSettlementMappingTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly ServiceBusClient _client = new("unused.servicebus.windows.net", new NoCredential());
    private readonly ServiceBusSenders _senders;
    private readonly ServiceBusSettlement _settlement;
    private readonly RecordingActions _actions = new();
    private readonly ServiceBusReceivedMessage _message = ServiceBusModelFactory.ServiceBusReceivedMessage(
        body: BinaryData.FromString("{}"), messageId: "tracking-1", deliveryCount: 1);

    public ServiceBusSettlementMappingTests()
    {
        _senders = new ServiceBusSenders(_client);
        _settlement = new ServiceBusSettlement(_senders, _time, NullLogger<ServiceBusSettlement>.Instance);
    }

    [Fact]
    public async Task Done_completes_the_message_and_nothing_else()
    {
        await _settlement.SettleAsync("push-calls", _message, _actions, DeliveryVerdict.Done, CancellationToken.None);

        Assert.Equal(["complete tracking-1"], _actions.Calls);
    }

    [Fact]
    public async Task A_dead_letter_goes_to_the_subqueue_with_the_reasons_text_its_description_and_when()
    {
        var reason = DeadLetterReason.RetriesExhausted(PushFailureReason.ServiceUnavailable);

        await _settlement.SettleAsync("push-calls", _message, _actions, DeliveryVerdict.DeadLetter(reason, "APNs unavailable for 20 minutes"),
            CancellationToken.None);

        Assert.Equal([$"dead-letter tracking-1 {reason} APNs unavailable for 20 minutes"], _actions.Calls);
        Assert.Equal(_time.GetUtcNow(), _actions.Properties![ServiceBusSettlement.DeadLetteredAtProperty]);
        Assert.Equal(reason, DeadLetterReason.Parse(reason.ToString()));
    }

    public async ValueTask DisposeAsync()
    {
        await _senders.DisposeAsync();
        await _client.DisposeAsync();
    }

    private sealed class RecordingActions : IServiceBusMessageActions
    {
        public List<string> Calls { get; } = [];

        public IDictionary<string, object>? Properties { get; private set; }

        public Task CompleteAsync(ServiceBusReceivedMessage message, CancellationToken cancellationToken)
        {
            Calls.Add("complete " + message.MessageId);
            return Task.CompletedTask;
        }

        public Task DeadLetterAsync(ServiceBusReceivedMessage message, IDictionary<string, object> propertiesToModify, string reason,
            string description, CancellationToken cancellationToken)
        {
            Calls.Add($"dead-letter {message.MessageId} {reason} {description}");
            Properties = propertiesToModify;
            return Task.CompletedTask;
        }
    }

    // Never asked for a token: these verdicts send nothing.
    private sealed class NoCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("no token in a unit test");

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("no token in a unit test");
    }
}
