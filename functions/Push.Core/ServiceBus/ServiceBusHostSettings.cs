using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Options;

namespace Push.Core.ServiceBus;

/// <summary>
/// host.json <c>extensions.serviceBus</c> with the Functions Service Bus trigger's key names and defaults, read by the
/// relay's in-worker processors (the trigger extension itself is not available here). Bound from
/// <see cref="SectionName"/> and checked by <see cref="ServiceBusHostSettingsValidator"/> at start.
/// </summary>
public sealed class ServiceBusHostSettings
{
    public const string SectionName = "AzureFunctionsJobHost:extensions:serviceBus";

    /// <summary>Messages handled at once per queue. Default 16 × cores.</summary>
    public int MaxConcurrentCalls { get; set; } = 16 * Environment.ProcessorCount;

    /// <summary>Messages fetched ahead. Default 0.</summary>
    public int PrefetchCount { get; set; }

    /// <summary>Complete a message whose handler returned without settling it. Default true (the relay settles every message itself).</summary>
    public bool AutoCompleteMessages { get; set; } = true;

    /// <summary>How long a message's lock is renewed while it is handled. Default 5 minutes.</summary>
    public TimeSpan MaxAutoLockRenewalDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The SDK's retry (<c>mode</c>, <c>tryTimeout</c>, <c>delay</c>, <c>maxDelay</c>, <c>maxRetries</c>), which also governs reconnecting.</summary>
    public ClientRetrySettings ClientRetryOptions { get; set; } = new();

    public ServiceBusClientOptions ClientOptions() => new()
    {
        RetryOptions = new ServiceBusRetryOptions
        {
            Mode = ClientRetryOptions.Mode,
            TryTimeout = ClientRetryOptions.TryTimeout,
            Delay = ClientRetryOptions.Delay,
            MaxDelay = ClientRetryOptions.MaxDelay,
            MaxRetries = ClientRetryOptions.MaxRetries,
        },
    };

    public ServiceBusProcessorOptions ProcessorOptions() => new()
    {
        ReceiveMode = ServiceBusReceiveMode.PeekLock,
        MaxConcurrentCalls = MaxConcurrentCalls,
        PrefetchCount = PrefetchCount,
        AutoCompleteMessages = AutoCompleteMessages,
        MaxAutoLockRenewalDuration = MaxAutoLockRenewalDuration,
    };

    /// <summary><c>clientRetryOptions</c>, with the SDK's defaults.</summary>
    public sealed class ClientRetrySettings
    {
        public ServiceBusRetryMode Mode { get; set; } = ServiceBusRetryMode.Exponential;
        public TimeSpan TryTimeout { get; set; } = TimeSpan.FromMinutes(1);
        public TimeSpan Delay { get; set; } = TimeSpan.FromSeconds(0.8);
        public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(1);
        public int MaxRetries { get; set; } = 3;
    }
}

/// <summary>Every out-of-range value is reported at once, named by its full key.</summary>
public sealed class ServiceBusHostSettingsValidator : IValidateOptions<ServiceBusHostSettings>
{
    public ValidateOptionsResult Validate(string? name, ServiceBusHostSettings options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string s = ServiceBusHostSettings.SectionName;
        var retry = options.ClientRetryOptions;
        var failures = new List<string>();
        Check(options.MaxConcurrentCalls is >= 1 and <= 10_000, $"{s}:maxConcurrentCalls must be from 1 to 10000.");
        Check(options.PrefetchCount is >= 0 and <= 100_000, $"{s}:prefetchCount must be from 0 to 100000.");
        Check(options.MaxAutoLockRenewalDuration >= TimeSpan.Zero, $"{s}:maxAutoLockRenewalDuration must not be negative.");
        Check(Enum.IsDefined(retry.Mode), $"{s}:clientRetryOptions:mode must be Fixed or Exponential.");
        Check(retry.TryTimeout > TimeSpan.Zero && retry.TryTimeout <= TimeSpan.FromHours(1), $"{s}:clientRetryOptions:tryTimeout must be above 0 and at most 1 hour.");
        Check(retry.Delay > TimeSpan.Zero && retry.Delay <= TimeSpan.FromMinutes(5), $"{s}:clientRetryOptions:delay must be above 0 and at most 5 minutes.");
        Check(retry.MaxDelay >= TimeSpan.Zero && retry.MaxDelay <= TimeSpan.FromHours(1), $"{s}:clientRetryOptions:maxDelay must be from 0 to 1 hour.");
        Check(retry.MaxRetries is >= 0 and <= 100, $"{s}:clientRetryOptions:maxRetries must be from 0 to 100.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Check(bool ok, string failure)
        {
            if (!ok) failures.Add(failure);
        }
    }
}
