using Microsoft.Extensions.Configuration;
using Push.Hosting.Configuration;

namespace Push.Hosting.ServiceBus;

/// <summary>
/// host.json <c>extensions.serviceBus</c>: the Functions Service Bus trigger's settings and defaults, plus a few of ours
/// (marked). One set for every queue.
/// </summary>
public sealed class ServiceBusTriggerOptions
{
    public const string SectionPath = FunctionsHostJsonExtensions.SectionName + ":extensions:serviceBus";

    /// <summary><c>maxConcurrentCalls</c>: functions running at once per queue; default 16 × cores.</summary>
    public int MaxConcurrentCalls { get; init; } = 16 * Environment.ProcessorCount;

    /// <summary><c>prefetchCount</c>: link credit; 0 (the default) gives a credit of maxConcurrentCalls.</summary>
    public int PrefetchCount { get; init; }

    /// <summary>
    /// <c>autoCompleteMessages</c>: must stay true (the default). Functions here settle by returning a
    /// <c>QueueSettlement</c>, which the trigger always applies; there is no message-actions binding to settle by hand.
    /// </summary>
    public bool AutoCompleteMessages { get; init; } = true;

    /// <summary><c>maxAutoLockRenewalDuration</c>: how long a message's lock is renewed while it is held; default 5 minutes.</summary>
    public TimeSpan MaxAutoLockRenewalDuration { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// <c>maxDeliveryCount</c> (ours; on Service Bus it is the queue's own property, which this must match): on this
    /// delivery a failure or a Retry dead-letters the message with <c>MaxDeliveryCountExceeded</c>. Default 10.
    /// </summary>
    public int MaxDeliveryCount { get; init; } = 10;

    /// <summary><c>authMode</c> (ours): <c>cbs</c> (default) or <c>saslPlain</c>.</summary>
    public ServiceBusAuthMode AuthMode { get; init; } = ServiceBusAuthMode.Cbs;

    /// <summary><c>broker</c> (ours): <c>serviceBus</c> (default) or <c>rabbitMq</c>.</summary>
    public ServiceBusBroker Broker { get; init; } = ServiceBusBroker.ServiceBus;

    /// <summary><c>tokenLifetime</c> (ours): lifetime of each SAS token put on $cbs; renewed at 80 % of it. Default 1 hour.</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary><c>maxReconnectDelay</c> (ours): the longest wait between reconnect attempts (back-off from 1 s, doubling). Default 30 s.</summary>
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The link credit actually issued.</summary>
    public int EffectiveCredit => PrefetchCount == 0 ? MaxConcurrentCalls : Math.Max(PrefetchCount, 1);

    /// <summary>Reads the options; every bad setting is collected, named by its full key.</summary>
    internal static ServiceBusTriggerOptions Read(IConfiguration configuration, int processorCount, SettingReader reader)
    {
        var section = configuration.GetSection(SectionPath);
        var autoComplete = section.GetSection("autoCompleteMessages");
        var complete = true;
        if (!string.IsNullOrWhiteSpace(autoComplete.Value))
        {
            if (!bool.TryParse(autoComplete.Value, out complete) || !complete)
            {
                reader.AddError($"{autoComplete.Path} must be true: functions settle by returning a QueueSettlement (was '{autoComplete.Value}')");
                complete = true;
            }
        }
        return new ServiceBusTriggerOptions
        {
            MaxConcurrentCalls = reader.ReadInt(section, "maxConcurrentCalls", 16 * Math.Max(1, processorCount), 1, 10_000),
            PrefetchCount = reader.ReadInt(section, "prefetchCount", 0, 0, 100_000),
            AutoCompleteMessages = complete,
            MaxAutoLockRenewalDuration = reader.ReadTimeSpan(section, "maxAutoLockRenewalDuration", TimeSpan.FromMinutes(5),
                TimeSpan.Zero, TimeSpan.FromDays(1)),
            MaxDeliveryCount = reader.ReadInt(section, "maxDeliveryCount", 10, 1, 2000),
            AuthMode = reader.ReadEnum(section, "authMode", ServiceBusAuthMode.Cbs,
                ("cbs", ServiceBusAuthMode.Cbs), ("saslPlain", ServiceBusAuthMode.SaslPlain)),
            Broker = reader.ReadEnum(section, "broker", ServiceBusBroker.ServiceBus,
                ("serviceBus", ServiceBusBroker.ServiceBus), ("rabbitMq", ServiceBusBroker.RabbitMq)),
            TokenLifetime = reader.ReadTimeSpan(section, "tokenLifetime", TimeSpan.FromHours(1), TimeSpan.FromSeconds(1), TimeSpan.FromDays(7)),
            MaxReconnectDelay = reader.ReadTimeSpan(section, "maxReconnectDelay", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100),
                TimeSpan.FromMinutes(10)),
        };
    }
}
