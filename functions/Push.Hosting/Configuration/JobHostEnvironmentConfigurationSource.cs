using Microsoft.Extensions.Configuration;

namespace Push.Hosting.Configuration;

internal sealed class JobHostEnvironmentConfigurationSource(IReadOnlyDictionary<string, string?>? environment) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new JobHostEnvironmentConfigurationProvider(environment);
}
