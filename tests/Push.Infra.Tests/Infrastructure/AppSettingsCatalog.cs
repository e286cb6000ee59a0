using System.Reflection;
using Push.Core.Queues;
using Push.Core.Storage;
using Push.Core.Dispatch;
using Push.Functions.Composition;
using Push.Providers;

namespace Push.Infra.Tests.Infrastructure;

/// <summary>
/// The configuration keys the built app reads, worked out from the app itself: every options class with a
/// <c>SectionName</c> (its settable properties, nested objects and dictionaries included), the %settings% its triggers
/// name in functions.metadata, and the connection and telemetry settings its code reads by name. Keys use ':' and
/// compare case-insensitively, as .NET configuration does.
/// </summary>
public static class AppSettingsCatalog
{
    /// <summary>The assemblies whose options the worker binds (Push.Functions, Push.Core, Push.Providers).</summary>
    private static readonly Assembly[] AppAssemblies =
        [typeof(RelayServiceCollectionExtensions).Assembly, typeof(QueueNames).Assembly, typeof(PushProvidersServiceCollectionExtensions).Assembly];

    /// <summary>
    /// Keys under an identity-based connection name that the app's code and the Functions host read
    /// (StorageAccountSetting, AzureIdentitySetting, ServiceBusConnectionSetting).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string[]> ConnectionKeys = new Dictionary<string, string[]>
    {
        [StorageAccountSetting.SettingName] = ["accountName", "blobServiceUri", "queueServiceUri", "tableServiceUri", "credential", "clientId"],
        [Push.Core.ServiceBus.ServiceBusConnectionSetting.FunctionsSettingName] = ["fullyQualifiedNamespace", "credential", "clientId"],
    };

    /// <summary>Settings read by libraries and the platform under their own fixed names.</summary>
    public static readonly string[] PlatformSettings =
    [
        "AZURE_CLIENT_ID", // Azure.Identity's DefaultAzureCredential: which managed identity
        TelemetryExport.ConnectionStringSetting,
        TelemetryExport.AuthenticationStringSetting,
    ];

    public static IReadOnlySet<string> Keys()
    {
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var type in AppAssemblies.SelectMany(a => a.GetTypes()))
        {
            if (type.IsAbstract || type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is not { IsLiteral: true } field)
            {
                continue;
            }
            AddProperties(type, (string)field.GetRawConstantValue()!, keys, depth: 0);
        }
        keys.Add(ApnsEnvironments.DevelopmentEndpointSetting);
        foreach (var function in BuiltApp.Functions)
        {
            if (function.SettingKey is { } key) keys.Add(key);
        }
        foreach (var (connection, names) in ConnectionKeys)
        {
            keys.UnionWith(names.Select(n => $"{connection}:{n}"));
        }
        keys.UnionWith(PlatformSettings);
        return keys;
    }

    /// <summary>Whether the app reads <paramref name="key"/>: a known key, or one under a dictionary option (e.g. previous KEKs by id).</summary>
    public static bool Knows(IReadOnlySet<string> keys, string key) =>
        keys.Contains(key) || keys.Any(k => k.EndsWith(":*", StringComparison.Ordinal)
            && key.StartsWith(k[..^1], StringComparison.OrdinalIgnoreCase) && !key[(k.Length - 1)..].Contains(':'));

    private static void AddProperties(Type type, string prefix, HashSet<string> keys, int depth)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite || IsDictionary(p.PropertyType)))
        {
            var key = $"{prefix}:{property.Name}";
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (IsDictionary(propertyType))
            {
                keys.Add(key + ":*");
            }
            else if (propertyType.IsClass && propertyType != typeof(string) && propertyType != typeof(Uri) && depth < 3)
            {
                AddProperties(propertyType, key, keys, depth + 1);
            }
            else
            {
                keys.Add(key);
            }
        }
    }

    private static bool IsDictionary(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>);
}
