using Microsoft.Extensions.Configuration;

namespace Push.Hosting.Configuration;

internal sealed class HostJsonConfigurationSource(string path, bool optional) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new HostJsonConfigurationProvider(path, optional);
}
