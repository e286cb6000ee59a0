using Microsoft.Extensions.Configuration;

using Azure.Core;
using Push.Hosting.Storage;

namespace Push.Hosting.ServiceBus;

/// <summary>
/// The Service Bus connection setting: <c>ServiceBusConnection</c> (or Functions' <c>AzureWebJobsServiceBus</c>), as
/// <c>Endpoint=sb://&lt;host&gt;[:port]/;SharedAccessKeyName=&lt;rule&gt;;SharedAccessKey=&lt;key&gt;</c>, optionally with
/// <c>;UseDevelopmentEmulator=true</c> (the emulator: plain AMQP on 5672) or our <c>;TransportType=amqp</c> (plain TCP to a
/// local broker; the default is <c>amqps</c>, TLS on 5671 with the system's certificate validation, never disabled).
/// </summary>
public sealed class ServiceBusConnectionString
{
    public const string SettingName = "ServiceBusConnection";
    public const string FunctionsSettingName = "AzureWebJobsServiceBus";

    private ServiceBusConnectionString(string host, int port, bool useTls, string keyName, string key, string settingName,
        TokenCredential? credential = null)
    {
        Credential = credential;
        Host = host;
        Port = port;
        UseTls = useTls;
        KeyName = keyName;
        Key = key;
        SettingNameUsed = settingName;
    }

    /// <summary>The namespace host name, e.g. <c>contoso.servicebus.windows.net</c>.</summary>
    public string Host { get; }

    public int Port { get; }

    /// <summary>False only for <c>TransportType=amqp</c> or the development emulator.</summary>
    public bool UseTls { get; }

    /// <summary>The SAS rule name (the SASL PLAIN user name on RabbitMQ).</summary>
    public string KeyName { get; }

    /// <summary>The SAS key. Never logged or put in an exception message.</summary>
    internal string Key { get; }

    /// <summary>
    /// Set for an identity-based connection (<c>AzureWebJobsServiceBus__fullyQualifiedNamespace</c>): CBS then puts
    /// Entra ID tokens (type <c>jwt</c>) instead of SAS tokens, and there is no key.
    /// </summary>
    public TokenCredential? Credential { get; }

    /// <summary>Which of the two setting names held the value (for messages).</summary>
    public string SettingNameUsed { get; }

    /// <summary>The namespace as a resource URI, <c>sb://&lt;host&gt;/</c>: the base of every token audience.</summary>
    public string NamespaceUri => "sb://" + Host + "/";

    /// <summary>The audience of an entity's SAS token (the CBS <c>name</c> and the token's <c>sr</c>).</summary>
    public string Audience(string entityPath) => NamespaceUri + entityPath;

    /// <summary>Reads the setting from configuration; a missing or bad one fails with a message naming it (never its value).</summary>
    /// <param name="credential">For an identity-based connection: the credential to use instead of the one the
    /// settings describe (tests pass a fake one).</param>
    public static ServiceBusConnectionString Read(IConfiguration configuration, TokenCredential? credential = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var value = configuration[SettingName];
        var name = SettingName;
        if (string.IsNullOrWhiteSpace(value))
        {
            value = configuration[FunctionsSettingName];
            name = FunctionsSettingName;
        }
        if (!string.IsNullOrWhiteSpace(value))
        {
            return Parse(value, name);
        }
        foreach (var sectionName in new[] { FunctionsSettingName, SettingName })
        {
            var section = configuration.GetSection(sectionName);
            if (section["fullyQualifiedNamespace"] is { Length: > 0 } fqns)
            {
                return IdentityBased(section, fqns, credential);
            }
        }
        throw new InvalidOperationException(
            $"The Service Bus connection setting '{SettingName}' (or '{FunctionsSettingName}') is missing: set it to 'Endpoint=sb://<host>/;SharedAccessKeyName=<rule>;SharedAccessKey=<key>', " +
            $"or set '{FunctionsSettingName}__fullyQualifiedNamespace' for an identity-based connection");
    }

    // The Functions convention: __fullyQualifiedNamespace (+ __credential / __clientId). Our __transportType=amqp
    // (plain TCP, a port in the namespace) exists only for local test brokers.
    private static ServiceBusConnectionString IdentityBased(IConfigurationSection section, string fqns, TokenCredential? credential)
    {
        var setting = section.Path.Replace(":", "__", StringComparison.Ordinal) + "__fullyQualifiedNamespace";
        if (!Uri.TryCreate("sb://" + fqns.Replace("sb://", "", StringComparison.OrdinalIgnoreCase).TrimEnd('/'), UriKind.Absolute, out var uri)
            || string.IsNullOrEmpty(uri.Host))
        {
            throw new InvalidOperationException($"The setting '{setting}' must be a namespace host name such as <namespace>.servicebus.windows.net");
        }
        var useTls = !string.Equals(section["transportType"], "amqp", StringComparison.OrdinalIgnoreCase);
        var port = uri.IsDefaultPort || uri.Port <= 0 ? (useTls ? 5671 : 5672) : uri.Port;
        return new ServiceBusConnectionString(uri.Host, port, useTls, keyName: "", key: "", setting,
            credential ?? StorageAccountSetting.Credential(section));
    }

    /// <summary>Parses <paramref name="value"/>; errors name <paramref name="settingName"/> and the part at fault, never the key.</summary>
    public static ServiceBusConnectionString Parse(string value, string settingName)
    {
        ArgumentNullException.ThrowIfNull(value);
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var segment in value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = segment.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                // Not quoting the segment: it may be (part of) the key.
                throw Bad(settingName, "a part is not 'Name=value'");
            }
            parts[segment[..equals].Trim()] = segment[(equals + 1)..].Trim();
        }

        if (!parts.TryGetValue("Endpoint", out var endpoint) || string.IsNullOrWhiteSpace(endpoint))
        {
            throw Bad(settingName, "'Endpoint' is missing");
        }
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("sb" or "amqp" or "amqps") || string.IsNullOrEmpty(uri.Host))
        {
            throw Bad(settingName, "'Endpoint' must be an absolute sb:// URI such as sb://<namespace>.servicebus.windows.net/");
        }
        if (!parts.TryGetValue("SharedAccessKeyName", out var keyName) || string.IsNullOrWhiteSpace(keyName))
        {
            throw Bad(settingName, "'SharedAccessKeyName' is missing");
        }
        if (!parts.TryGetValue("SharedAccessKey", out var key) || string.IsNullOrWhiteSpace(key))
        {
            throw Bad(settingName, "'SharedAccessKey' is missing");
        }
        if (parts.ContainsKey("SharedAccessSignature"))
        {
            throw Bad(settingName, "'SharedAccessSignature' is not supported: give the rule's SharedAccessKeyName and SharedAccessKey");
        }

        var emulator = parts.TryGetValue("UseDevelopmentEmulator", out var emu) && bool.TryParse(emu, out var isEmulator) && isEmulator;
        var useTls = !emulator;
        if (parts.TryGetValue("TransportType", out var transport))
        {
            useTls = transport.ToLowerInvariant() switch
            {
                "amqps" or "amqp_websockets" when !emulator => true,
                "amqp" => false,
                _ => throw Bad(settingName, "'TransportType' must be 'amqps' (TLS, the default) or 'amqp' (plain TCP to a local broker)"),
            };
        }
        var port = uri.IsDefaultPort || uri.Port <= 0 ? (useTls ? 5671 : 5672) : uri.Port;
        return new ServiceBusConnectionString(uri.Host, port, useTls, keyName, key, settingName);
    }

    private static InvalidOperationException Bad(string settingName, string what) =>
        new($"The setting '{settingName}' is not a valid Service Bus connection string: {what}");

    /// <summary>Never the key: the connection string without its secret.</summary>
    public override string ToString() => Credential is null
        ? $"Endpoint=sb://{Host}:{Port}/;SharedAccessKeyName={KeyName};TransportType={(UseTls ? "amqps" : "amqp")}"
        : $"Endpoint=sb://{Host}:{Port}/;Authentication=EntraId;TransportType={(UseTls ? "amqps" : "amqp")}";
}
