using Microsoft.Extensions.Options;

namespace Push.Core.StorageQueues;

/// <summary>
/// The Functions host's Storage-queue settings the relay must agree with: host.json <c>extensions.queues</c> (section
/// <see cref="SectionName"/>, overridden by <c>AzureFunctionsJobHost__extensions__queues__…</c> app settings) — how a
/// message's text carries its body, and after how many failed deliveries the host poisons a message.
/// </summary>
public sealed class StorageQueueHostSettings
{
    public const string SectionName = "AzureFunctionsJobHost:extensions:queues";

    /// <summary>The Functions defaults.</summary>
    public static StorageQueueHostSettings Default { get; } = new();

    /// <summary><c>messageEncoding</c>: base64 (default) or none.</summary>
    public QueueBodyEncoding MessageEncoding { get; set; } = QueueBodyEncoding.Base64;

    /// <summary><c>maxDequeueCount</c>: default 5.</summary>
    public int MaxDequeueCount { get; set; } = 5;
}

public sealed class StorageQueueHostSettingsValidator : IValidateOptions<StorageQueueHostSettings>
{
    public ValidateOptionsResult Validate(string? name, StorageQueueHostSettings options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!Enum.IsDefined(options.MessageEncoding)) failures.Add($"{StorageQueueHostSettings.SectionName}:messageEncoding must be base64 or none.");
        if (options.MaxDequeueCount < 1) failures.Add($"{StorageQueueHostSettings.SectionName}:maxDequeueCount must be at least 1.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
