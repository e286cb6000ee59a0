using System.Security.Cryptography;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Push.Core.Registry;

namespace Push.Core.Tests.Registry;

public sealed class DeviceKeyProtectionOptionsTests
{
    public static TheoryData<string?, string> BadKeys => new()
    {
        { null, "is missing" },
        { "not base64 at all!", "not valid base64" },
        { Convert.ToBase64String(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 }), "decodes to 16 bytes" },
    };

    [Theory]
    [MemberData(nameof(BadKeys))]
    public void A_bad_kek_is_reported_by_setting_name_without_its_value(string? value, string problem)
    {
        var result = new DeviceKeyProtectionOptionsValidator().Validate(null, new DeviceKeyProtectionOptions
        {
            KeyEncryptionKey = value,
            KeyEncryptionKeyId = "kek1",
        });

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.Contains("Registry:KeyEncryptionKey", failure, StringComparison.Ordinal);
        Assert.Contains(problem, failure, StringComparison.Ordinal);
        if (value is not null) Assert.DoesNotContain(value, failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("has spaces")]
    [InlineData("a-label-that-is-much-longer-than-thirty-two-characters")]
    public void A_bad_kek_id_is_reported_by_setting_name(string? id)
    {
        var result = new DeviceKeyProtectionOptionsValidator().Validate(null, new DeviceKeyProtectionOptions
        {
            KeyEncryptionKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            KeyEncryptionKeyId = id,
        });

        Assert.Contains(result.Failures!, f => f.Contains("Registry:KeyEncryptionKeyId", StringComparison.Ordinal));
    }

    [Fact]
    public void A_previous_kek_that_is_not_32_bytes_is_reported_by_its_setting_name()
    {
        var options = new DeviceKeyProtectionOptions
        {
            KeyEncryptionKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            KeyEncryptionKeyId = "kek2",
        };
        options.PreviousKeyEncryptionKeys["kek1"] = Convert.ToBase64String(new byte[31]);

        var result = new DeviceKeyProtectionOptionsValidator().Validate(null, options);

        Assert.Contains(result.Failures!, f => f.Contains("Registry:PreviousKeyEncryptionKeys:kek1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_host_does_not_start_with_a_short_kek_and_the_error_names_the_setting_not_the_value()
    {
        var shortKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Registry:KeyEncryptionKey"] = shortKey,
            ["Registry:KeyEncryptionKeyId"] = "kek1",
        });
        // Never contacted: the host must fail before any storage call.
        builder.Services.AddSingleton(new TableServiceClient("UseDevelopmentStorage=true"));
        builder.Services.AddDeviceRegistry(builder.Configuration);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Registry:KeyEncryptionKey", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(shortKey, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_host_starts_with_valid_settings_and_resolves_the_registry()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Registry:KeyEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Registry:KeyEncryptionKeyId"] = "kek1",
            ["Registry:DevicesTable"] = "devicesx",
            ["Registry:CacheDuration"] = "00:00:02",
        });
        builder.Services.AddSingleton(new TableServiceClient("UseDevelopmentStorage=true"));
        builder.Services.AddDeviceRegistry(builder.Configuration);
        using var host = builder.Build();

        await host.StartAsync();
        try
        {
            Assert.IsType<TableDeviceRegistry>(host.Services.GetRequiredService<IDeviceRegistry>());
            Assert.IsType<AesGcmDeviceKeyProtector>(host.Services.GetRequiredService<IDeviceKeyProtector>());
            Assert.Equal(TimeSpan.FromSeconds(2), host.Services.GetRequiredService<IOptions<DeviceRegistryOptions>>().Value.CacheDuration);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Theory]
    [InlineData("ab", "Registry:DevicesTable")]
    [InlineData("has-dash", "Registry:DevicesTable")]
    public void A_bad_table_name_is_reported_by_setting_name(string table, string setting)
    {
        var result = new DeviceRegistryOptionsValidator().Validate(null, new DeviceRegistryOptions { DevicesTable = table });

        Assert.Contains(result.Failures!, f => f.Contains(setting, StringComparison.Ordinal));
    }

    [Fact]
    public void A_negative_cache_duration_is_reported_by_setting_name()
    {
        var result = new DeviceRegistryOptionsValidator().Validate(null, new DeviceRegistryOptions { CacheDuration = TimeSpan.FromSeconds(-1) });

        Assert.Contains(result.Failures!, f => f.Contains("Registry:CacheDuration", StringComparison.Ordinal));
    }
}
