using System.Text.Json.Nodes;
using Push.Infra.Tests.Infrastructure;

namespace Push.Infra.Tests;

/// <summary>
/// The app is a Function App on Flex Consumption as the platform defines one: an FC1 plan, functionAppConfig with the
/// runtime the built app targets, the deployment container reached with the identity, scale settings from parameters,
/// and none of the app settings Flex Consumption replaced with functionAppConfig.
/// </summary>
public sealed class FunctionAppTests(CompiledInfrastructure infra) : IClassFixture<CompiledInfrastructure>
{
    /// <summary>
    /// Settings that Flex Consumption does not accept or ignores (learn.microsoft.com, "Flex Consumption plan
    /// deprecations"): the runtime and version are in functionAppConfig, the package in its deployment storage.
    /// </summary>
    private static readonly string[] NotOnFlexConsumption =
    [
        "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_WORKER_RUNTIME_VERSION", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_RUN_FROM_PACKAGE",
        "WEBSITE_CONTENTSHARE", "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT",
        "SCM_DO_BUILD_DURING_DEPLOYMENT", "ENABLE_ORYX_BUILD", "WEBSITE_TIME_ZONE", "WEBSITE_USE_PLACEHOLDER_DOTNETISOLATED",
    ];

    [Fact]
    public void The_plan_is_flex_consumption_on_linux_and_the_site_a_linux_function_app_on_it()
    {
        var template = infra.Evaluated();
        var plan = Assert.Single(template.OfType("Microsoft.Web/serverfarms"));
        Assert.Equal("FC1", plan.Get("sku.name")!.GetValue<string>());
        Assert.Equal("FlexConsumption", plan.Get("sku.tier")!.GetValue<string>());
        Assert.True(plan.Get("properties.reserved")!.GetValue<bool>());

        var site = FunctionAppSite.From(template);
        Assert.Equal("functionapp,linux", site.Resource.Get("kind")!.GetValue<string>());
        Assert.EndsWith("/" + plan.LeafName, site.Resource.Get("properties.serverFarmId")!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(site.Resource.Get("properties.httpsOnly")!.GetValue<bool>());
    }

    [Fact]
    public void The_runtime_is_the_isolated_worker_on_the_dotnet_version_the_built_app_targets()
    {
        var runtime = FunctionAppSite.From(infra.Evaluated()).Config["runtime"]!;
        var workerConfig = BuiltApp.Read("worker.config.json");
        Assert.Equal(workerConfig["description"]!["language"]!.GetValue<string>(), runtime["name"]!.GetValue<string>());
        Assert.Equal("dotnet-isolated", runtime["name"]!.GetValue<string>());
        Assert.Equal(BuiltApp.DotnetVersion, runtime["version"]!.GetValue<string>());
    }

    [Fact]
    public void The_package_goes_to_a_private_container_of_the_app_storage_account()
    {
        var template = infra.Evaluated();
        var storage = FunctionAppSite.From(template).Config["deployment"]!["storage"]!;
        Assert.Equal("blobContainer", storage["type"]!.GetValue<string>());
        var url = new Uri(storage["value"]!.GetValue<string>());
        var account = Assert.Single(template.OfType("Microsoft.Storage/storageAccounts")).LeafName;
        Assert.Equal($"{account}.blob.core.windows.net", url.Host);
        var container = Assert.Single(template.OfType("Microsoft.Storage/storageAccounts/blobServices/containers"), c => c.LeafName == url.AbsolutePath.Trim('/'));
        Assert.Equal("None", container.Get("properties.publicAccess")!.GetValue<string>());
    }

    [Theory]
    [InlineData("dev", 40, 2048)]
    [InlineData("prod", 200, 2048)]
    public void Instance_count_and_memory_come_from_the_parameters(string environment, int maximumInstanceCount, int instanceMemoryMB)
    {
        var scale = FunctionAppSite.From(infra.Evaluated(environment)).Config["scaleAndConcurrency"]!;
        Assert.Equal(maximumInstanceCount, scale["maximumInstanceCount"]!.GetValue<int>());
        Assert.Equal(instanceMemoryMB, scale["instanceMemoryMB"]!.GetValue<int>());
        var memory = infra.Template.ParameterDeclarations["instanceMemoryMB"]!["allowedValues"]!.AsArray().Select(v => v!.GetValue<int>());
        Assert.Equal([512, 2048, 4096], memory.Order());
    }

    [Theory]
    [InlineData("storageQueues")]
    [InlineData("serviceBus")]
    public void No_app_setting_is_one_flex_consumption_replaced_and_none_is_given_twice_or_misnamed(string transport)
    {
        var site = FunctionAppSite.From(infra.Evaluated(transport: transport).With("previousKeyEncryptionKeyIds", new JsonArray("kek_0")));
        Assert.Empty(site.Names.Intersect(NotOnFlexConsumption, StringComparer.OrdinalIgnoreCase));
        var twice = site.Names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key);
        Assert.Empty(twice);
        // App Service takes letters, digits, '.' and '_' in a setting name (a previous KEK id is part of one).
        Assert.All(site.Names, name => Assert.Matches("^[A-Za-z0-9._]+$", name));
    }

    [Fact]
    public void A_function_named_in_disabled_functions_is_disabled_by_its_app_setting()
    {
        var template = infra.Evaluated().With("disabledFunctions", new JsonArray("DeliverMessage"));
        Assert.Equal(["DeliverMessage"], FunctionAppSite.From(template).DisabledFunctions);
        Assert.Empty(FunctionAppSite.From(infra.Evaluated()).DisabledFunctions);
    }
}
