using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Push.Core.Delivery;

/// <summary>
/// The relay's counters and the enqueue-to-provider-answer histogram (Meter "Push.Relay"), tagged by
/// event type, provider and reason, plus one span per event (ActivitySource "Push.Relay").
/// </summary>
public sealed class RelayMetrics : IDisposable
{
    public const string MeterName = "Push.Relay";
    public static readonly ActivitySource ActivitySource = new(MeterName);

    private readonly Meter _meter;
    private readonly Counter<long> _eventsReceived;
    private readonly Counter<long> _eventsRejected;
    private readonly Counter<long> _pushesSent;
    private readonly Counter<long> _pushesFailed;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _expired;
    private readonly Counter<long> _tokensRemoved;
    private readonly Counter<long> _messagesYielded;
    private readonly Counter<long> _pushesHeld;
    private readonly Histogram<double> _enqueueToAnswer;

    public RelayMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _eventsReceived = _meter.CreateCounter<long>("push.events.received", description: "Events taken from a queue, by type.");
        _eventsRejected = _meter.CreateCounter<long>("push.events.rejected", description: "Events dead-lettered as malformed, by problem.");
        _pushesSent = _meter.CreateCounter<long>("push.pushes.sent", description: "Pushes the provider accepted, by provider.");
        _pushesFailed = _meter.CreateCounter<long>("push.pushes.failed", description: "Pushes not accepted, by provider and reason.");
        _deadLettered = _meter.CreateCounter<long>("push.deliveries.dead_lettered", description: "Event x device outcomes dead-lettered, by reason.");
        _expired = _meter.CreateCounter<long>("push.deliveries.expired", description: "Calls not sent because their ring time had passed.");
        _tokensRemoved = _meter.CreateCounter<long>("push.tokens.removed", description: "Device tokens removed after the provider said they are invalid.");
        _messagesYielded = _meter.CreateCounter<long>("push.messages.yielded_to_calls", description: "Instant messages that waited for calls in flight before starting.");
        _pushesHeld = _meter.CreateCounter<long>("push.pushes.held", description: "Pushes not sent because the provider's Retry-After holds their target, by provider and scope (token or provider).");
        _enqueueToAnswer = _meter.CreateHistogram<double>("push.enqueue_to_provider_answer", unit: "ms",
            description: "From the event entering the queue to the provider's answer, by provider and event type.");
    }

    public void EventReceived(string type) => _eventsReceived.Add(1, new KeyValuePair<string, object?>("type", type));

    public void EventRejected(string problem) => _eventsRejected.Add(1, new KeyValuePair<string, object?>("problem", problem));

    public void PushSent(string provider, string type) =>
        _pushesSent.Add(1, new("provider", provider), new("type", type));

    public void PushFailed(string provider, string reason) =>
        _pushesFailed.Add(1, new("provider", provider), new("reason", reason));

    public void DeadLettered(string reason) => _deadLettered.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Expired() => _expired.Add(1);

    public void MessageYielded() => _messagesYielded.Add(1);

    public void PushHeld(string provider, string scope) =>
        _pushesHeld.Add(1, new("provider", provider), new("scope", scope));

    public void TokenRemoved(string provider) => _tokensRemoved.Add(1, new KeyValuePair<string, object?>("provider", provider));

    public void ProviderAnswered(string provider, string type, TimeSpan sinceEnqueue) =>
        _enqueueToAnswer.Record(sinceEnqueue.TotalMilliseconds, new("provider", provider), new("type", type));

    public void Dispose() => _meter.Dispose();
}
