using Microsoft.Extensions.Configuration;

namespace Push.Core.StorageQueues;

/// <summary>
/// The Functions host's Storage-queue settings the relay must agree with (host.json <c>extensions.queues</c>, under
/// configuration section <c>AzureFunctionsJobHost</c>, overridden by <c>AzureFunctionsJobHost__extensions__queues__…</c>):
/// how a message's text carries its body, and after how many failed deliveries the host poisons a message.
/// </summary>
public sealed record StorageQueueHostSettings(QueueBodyEncoding Encoding, int MaxDequeueCount)
{
    public const string SectionName = "AzureFunctionsJobHost:extensions:queues";

    /// <summary>The Functions defaults: base64, 5.</summary>
    public static StorageQueueHostSettings Default { get; } = new(QueueBodyEncoding.Base64, 5);

    /// <summary>Reads the settings; a value the host would refuse is named in the error, never guessed at.</summary>
    public static StorageQueueHostSettings Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectionName);
        var encoding = section["messageEncoding"] switch
        {
            null or "" => Default.Encoding,
            var value when value.Equals("base64", StringComparison.OrdinalIgnoreCase) => QueueBodyEncoding.Base64,
            var value when value.Equals("none", StringComparison.OrdinalIgnoreCase) => QueueBodyEncoding.None,
            _ => throw new InvalidOperationException($"{SectionName}:messageEncoding must be \"base64\" or \"none\"."),
        };
        var maxDequeueCount = Default.MaxDequeueCount;
        if (section["maxDequeueCount"] is { Length: > 0 } text
            && (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out maxDequeueCount)
                || maxDequeueCount < 1))
        {
            throw new InvalidOperationException($"{SectionName}:maxDequeueCount must be a whole number of at least 1.");
        }
        return new StorageQueueHostSettings(encoding, maxDequeueCount);
    }
}
