using Azure.Core;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Configuration;
using Push.Core.Storage;

namespace Push.Core.ServiceBus;

/// <summary>
/// The Service Bus connection, as the Functions Service Bus trigger reads it: a connection string in
/// <c>AzureWebJobsServiceBus</c> (or our <c>ServiceBusConnection</c>), or identity-based with
/// <c>AzureWebJobsServiceBus__fullyQualifiedNamespace</c> and the identity convention of <see cref="AzureIdentitySetting"/>.
/// A missing or malformed value fails naming the setting, never quoting it (a connection string holds the key).
/// </summary>
public static class ServiceBusConnectionSetting
{
    public const string FunctionsSettingName = "AzureWebJobsServiceBus";
    public const string SettingName = "ServiceBusConnection";

    /// <param name="credential">For an identity-based connection, the credential to use instead of the one the settings
    /// describe (tests pass their own).</param>
    public static ServiceBusClient CreateClient(IConfiguration configuration, ServiceBusClientOptions options, TokenCredential? credential = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        foreach (var name in new[] { FunctionsSettingName, SettingName })
        {
            if (configuration[name] is { Length: > 0 } connectionString)
            {
                try
                {
                    return new ServiceBusClient(connectionString, options);
                }
                catch (Exception ex) when (ex is FormatException or ArgumentException)
                {
                    // Not chained: the SDK's message may quote the connection string.
                    throw new InvalidOperationException(
                        $"The setting '{name}' is not a valid Service Bus connection string ({ex.GetType().Name}): it needs " +
                        "Endpoint=sb://<namespace>/;SharedAccessKeyName=<rule>;SharedAccessKey=<key>");
                }
            }
        }
        foreach (var name in new[] { FunctionsSettingName, SettingName })
        {
            var section = configuration.GetSection(name);
            if (section["fullyQualifiedNamespace"] is { Length: > 0 } fullyQualifiedNamespace)
            {
                var identity = credential ?? AzureIdentitySetting.Credential(section);
                try
                {
                    // The SDK takes a host name or a URI (sb://, amqps://, https://) and keeps its host; anything else,
                    // a port included, it refuses naming its own parameter rather than the setting.
                    return new ServiceBusClient(fullyQualifiedNamespace, identity, options);
                }
                catch (ArgumentException)
                {
                    throw new InvalidOperationException(
                        $"The setting '{name}__fullyQualifiedNamespace' must be a host name such as <namespace>.servicebus.windows.net");
                }
            }
        }
        throw new InvalidOperationException(
            $"Queues:Transport is ServiceBus but no Service Bus connection is set: set '{FunctionsSettingName}' to a connection " +
            $"string, or '{FunctionsSettingName}__fullyQualifiedNamespace' for an identity-based connection");
    }
}
