using Microsoft.Extensions.Configuration;

namespace Push.Functions.Composition;

/// <summary>
/// The worker reads the few host.json settings it must agree with the host on (the queues' <c>messageEncoding</c> and
/// <c>maxDequeueCount</c>, the Service Bus processor's options) from the same file the host reads, under the section the
/// host uses, <c>AzureFunctionsJobHost</c>; <c>AzureFunctionsJobHost__…</c> app settings override the file, as they do
/// for the host.
/// </summary>
public static class HostJsonConfiguration
{
    public const string SectionName = "AzureFunctionsJobHost";

    public static IConfigurationBuilder AddHostJson(this IConfigurationBuilder builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var file = new ConfigurationBuilder().AddJsonFile(path, optional: false).Build();
        builder.AddInMemoryCollection(file.AsEnumerable()
            .Where(setting => setting.Value is not null)
            .Select(setting => KeyValuePair.Create(SectionName + ConfigurationPath.KeyDelimiter + setting.Key, setting.Value)));
        // Again, after the file: an app setting wins over host.json whatever the builder's order was.
        builder.AddEnvironmentVariables();
        return builder;
    }
}
