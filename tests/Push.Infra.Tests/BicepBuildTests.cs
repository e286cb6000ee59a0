using System.Text.Json.Nodes;
using Push.Infra.Tests.Infrastructure;

namespace Push.Infra.Tests;

/// <summary>`bicep build` and `bicep build-params` succeed cleanly, and the two environments differ where they should.</summary>
public sealed class BicepBuildTests(CompiledInfrastructure infra) : IClassFixture<CompiledInfrastructure>
{
    // Its verdict depends on today's date and on the API versions bundled with this bicep release, so it
    // stays a warning (see infra/bicepconfig.json) and cannot fail a build that was green yesterday.
    public const string ClockDependentRule = "use-recent-api-versions";

    [Fact]
    public void Main_bicep_builds_without_errors_or_warnings()
    {
        Assert.Equal(0, infra.Build.ExitCode);
        Assert.Empty(infra.Build.Errors);
        Assert.DoesNotContain(infra.Build.Warnings, w => w.Code != ClockDependentRule);
        Assert.Equal("https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            infra.Template.Root["$schema"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void A_parameter_file_compiles_against_main_bicep_and_takes_the_deployment_values_from_the_environment(string environment)
    {
        var result = infra.BuildParams[environment];
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Errors);
        Assert.DoesNotContain(result.Warnings, w => w.Code != ClockDependentRule);

        var parameters = infra.Parameters[environment];
        Assert.Equal(environment, parameters["environmentName"]!["value"]!.GetValue<string>());
        Assert.Equal(CompiledInfrastructure.DeploymentVariables["PUSH_RELAY_IMAGE"], parameters["image"]!["value"]!.GetValue<string>());
        Assert.Equal(CompiledInfrastructure.DeploymentVariables["APNS_TEAM_ID"], parameters["apnsTeamId"]!["value"]!.GetValue<string>());
        Assert.Equal(CompiledInfrastructure.DeploymentVariables["APNS_KEY_ID"], parameters["apnsKeyId"]!["value"]!.GetValue<string>());
        // Unset optional variables mean "no registry" and "no operator grant", not a bogus name.
        Assert.Equal("", parameters["containerRegistryName"]!["value"]!.GetValue<string>());
        Assert.Equal("", parameters["operatorPrincipalId"]!["value"]!.GetValue<string>());
        Assert.True(parameters["deployApps"]!["value"]!.GetValue<bool>());
    }

    [Fact]
    public void The_first_deployment_can_leave_the_apps_out_until_the_secrets_exist()
    {
        // Everything else (the vault above all) must not depend on deployApps, or the two-step start fails.
        var conditional = infra.Template.Resources.Where(r => r.Condition?.Contains("deployApps", StringComparison.Ordinal) == true)
            .Select(r => r.Type).Distinct().ToList();
        Assert.Equal(["Microsoft.App/containerApps"], conditional);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Calls_stay_warm_while_messages_scale_to_zero(string environment)
    {
        var apps = RelayApp.From(infra.TemplateFor(environment));
        var calls = Assert.Single(apps, a => a.Name.Contains("-calls-", StringComparison.Ordinal));
        var messages = Assert.Single(apps, a => a.Name.Contains("-messages-", StringComparison.Ordinal));

        Assert.True(calls.Template["scale"]!["minReplicas"]!.GetValue<int>() >= 1, "the calls app must keep a warm replica");
        Assert.Equal(0, messages.Template["scale"]!["minReplicas"]!.GetValue<int>());
        Assert.True(calls.Template["scale"]!["maxReplicas"]!.GetValue<int>() > calls.Template["scale"]!["minReplicas"]!.GetValue<int>());
    }

    [Fact]
    public void Calls_min_replicas_below_one_is_refused_by_the_template()
    {
        var declaration = infra.Template.ParameterDeclarations["callsMinReplicas"]!;
        Assert.Equal(1, declaration["minValue"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("dev", null, "Standard_LRS", 7)]
    [InlineData("prod", true, "Standard_ZRS", 90)]
    public void Production_gets_purge_protection_and_zone_redundant_storage(string environment, bool? purgeProtection, string storageSku, int softDeleteDays)
    {
        var template = infra.TemplateFor(environment);
        var vault = Assert.Single(template.OfType("Microsoft.KeyVault/vaults"));
        var properties = vault.Get("properties")!.AsObject();

        Assert.True(properties["enableRbacAuthorization"]!.GetValue<bool>());
        Assert.True(properties["enableSoftDelete"]!.GetValue<bool>());
        Assert.Equal(softDeleteDays, properties["softDeleteRetentionInDays"]!.GetValue<int>());
        Assert.Equal(purgeProtection, properties["enablePurgeProtection"]?.GetValue<bool>());

        var storage = Assert.Single(template.OfType("Microsoft.Storage/storageAccounts"));
        Assert.Equal(storageSku, storage.Get("sku.name")!.GetValue<string>());
    }

    [Fact]
    public void Outputs_give_the_operator_the_names_and_the_identity_but_nothing_secret()
    {
        var outputs = infra.Template.Root["outputs"]!.AsObject();
        foreach (var name in new[] { "storageAccountName", "queueNames", "poisonQueueNames", "tableNames", "runtimeContainerName", "appNames", "appFqdns", "identityClientId", "keyVaultName" })
        {
            Assert.True(outputs.ContainsKey(name), "missing output " + name);
        }
        var text = outputs.ToJsonString();
        Assert.DoesNotContain("listKeys", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("ConnectionString", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("securestring", text, StringComparison.OrdinalIgnoreCase);

        var queueOutput = infra.Template.Evaluator.Evaluate(outputs["queueNames"]!["value"])!.AsObject();
        Assert.Equal(["push-calls", "push-messages", "push-devices"], queueOutput.Select(p => p.Value!.GetValue<string>()));
    }
}
