using Microsoft.Extensions.Configuration;

namespace Push.Hosting.Configuration;

/// <summary>Loads an Azure Functions <c>host.json</c> into configuration the way the Functions host does.</summary>
public static class FunctionsHostJsonExtensions
{
    /// <summary>The configuration section that holds host.json, as in Azure Functions.</summary>
    public const string SectionName = "AzureFunctionsJobHost";

    /// <summary>
    /// Adds <paramref name="path"/> (host.json, <c>"version": "2.0"</c>) under <c>AzureFunctionsJobHost</c>, then the
    /// environment variables named <c>AzureFunctionsJobHost__…</c> again, so that they override the file whatever
    /// order the builder had already added its sources in (the Functions convention).
    /// </summary>
    public static IConfigurationBuilder AddFunctionsHostJson(this IConfigurationBuilder builder, string path, bool optional = false) =>
        builder.AddFunctionsHostJson(path, optional, environment: null);

    internal static IConfigurationBuilder AddFunctionsHostJson(this IConfigurationBuilder builder, string path, bool optional,
        IReadOnlyDictionary<string, string?>? environment)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        builder.Add(new HostJsonConfigurationSource(Path.GetFullPath(path), optional));
        builder.Add(new JobHostEnvironmentConfigurationSource(environment));
        return builder;
    }
}
