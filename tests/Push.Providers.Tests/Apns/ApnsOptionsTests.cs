using System.Reflection;
using Push.Providers.Apns;

namespace Push.Providers.Tests.Apns;

public sealed class ApnsOptionsTests
{
    /// <summary>A non-default value for every settable property; a property of a new type must be given one here.</summary>
    private static object ValueFor(PropertyInfo property) => property.PropertyType switch
    {
        var t when t == typeof(string) => "set-" + property.Name,
        var t when t == typeof(int) => 7_777,
        var t when t == typeof(TimeSpan) => TimeSpan.FromSeconds(1234),
        var t when t == typeof(Uri) => new Uri("https://example.invalid/" + property.Name),
        var t when t == typeof(ProxyOptions) => new ProxyOptions { Address = new Uri("http://proxy.invalid:3128"), Username = "u", Password = "p" },
        var t when t == typeof(bool) => !(bool)property.GetValue(new ApnsOptions())!,
        _ => throw new InvalidOperationException($"ApnsOptions.{property.Name} is of a type this test has no value for ({property.PropertyType}): add one"),
    };

    [Fact]
    public void WithEndpoint_carries_every_other_setting_over()
    {
        var properties = typeof(ApnsOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToList();
        var options = new ApnsOptions();
        foreach (var property in properties)
        {
            property.SetValue(options, ValueFor(property));
            Assert.NotEqual(property.GetValue(new ApnsOptions()), property.GetValue(options)); // each one really is set
        }
        var development = new Uri("https://api.sandbox.push.apple.com");

        var copy = options.WithEndpoint(development);

        Assert.Equal(development, copy.Endpoint);
        Assert.NotSame(options, copy);
        Assert.NotEqual(development, options.Endpoint); // the original keeps its endpoint
        foreach (var property in properties.Where(p => p.Name != nameof(ApnsOptions.Endpoint)))
        {
            Assert.True(Equals(property.GetValue(options), property.GetValue(copy)), $"ApnsOptions.{property.Name} was not carried over");
        }
    }
}
