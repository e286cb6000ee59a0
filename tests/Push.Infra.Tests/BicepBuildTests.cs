using System.Text.Json.Nodes;
using Push.Infra.Tests.Infrastructure;

namespace Push.Infra.Tests;

/// <summary>`bicep build` and `bicep build-params` succeed cleanly, the two environments differ where they should, and nothing secret leaves the template.</summary>
public sealed class BicepBuildTests(CompiledInfrastructure infra) : IClassFixture<CompiledInfrastructure>
{
    // Its verdict depends on today's date and on the API versions bundled with this bicep release, so it
    // stays a warning (see infra/bicepconfig.json) and cannot fail a build that was green yesterday.
    public const string ClockDependentRule = "use-recent-api-versions";

    /// <summary>The secret parameters: optional in the template, never in a parameter file or an output.</summary>
    public static readonly string[] SecretParameters = ["apnsAuthKeyP8", "fcmServiceAccountJson", "registryKeyEncryptionKey", "routingConversationHashKey"];

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
        Assert.Equal(CompiledInfrastructure.DeploymentVariables["APNS_TEAM_ID"], parameters["apnsTeamId"]!["value"]!.GetValue<string>());
        Assert.Equal(CompiledInfrastructure.DeploymentVariables["APNS_KEY_ID"], parameters["apnsKeyId"]!["value"]!.GetValue<string>());
        // Unset optional variables mean "no operator grant" and "no action group", not a bogus id.
        Assert.Equal("", parameters["operatorPrincipalId"]!["value"]!.GetValue<string>());
        Assert.Equal("", parameters["actionGroupId"]!["value"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("dev", null, "Standard_LRS", 7, 1)]
    [InlineData("prod", true, "Standard_ZRS", 90, 2)]
    public void Production_gets_purge_protection_zone_redundant_storage_and_two_warm_call_instances(string environment, bool? purgeProtection,
        string storageSku, int softDeleteDays, int callsAlwaysReady)
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

        Assert.Equal(callsAlwaysReady, FunctionAppSite.From(infra.Evaluated(environment)).AlwaysReady["function:DeliverCall"]);
    }

    [Fact]
    public void Secrets_are_optional_secure_parameters_that_no_parameter_file_sets_and_no_output_returns()
    {
        var declarations = infra.Template.ParameterDeclarations;
        foreach (var name in SecretParameters)
        {
            Assert.Equal("securestring", declarations[name]!["type"]!.GetValue<string>());
            // An empty default: the template then leaves the secret to the operator (az keyvault secret set).
            Assert.Equal("", declarations[name]!["defaultValue"]!.GetValue<string>());
            Assert.All(infra.Parameters.Values, parameters => Assert.False(parameters.ContainsKey(name), $"a parameter file sets {name}"));
        }
        foreach (var file in new[] { "dev", "prod" })
        {
            var text = File.ReadAllText(CompiledInfrastructure.ParameterFile(file));
            Assert.All(SecretParameters, name => Assert.DoesNotMatch($@"\bparam\s+{name}\b", text));
        }
        var outputs = infra.Template.Root["outputs"]!.ToJsonString();
        Assert.All(SecretParameters, name => Assert.DoesNotContain(name, outputs, StringComparison.Ordinal));
    }

    [Fact]
    public void A_secret_is_written_to_key_vault_only_when_its_value_is_given()
    {
        var secrets = infra.Template.OfType("Microsoft.KeyVault/vaults/secrets").ToList();
        Assert.Equal(SecretParameters.Length, secrets.Count);
        Assert.All(secrets, s => Assert.False(s.Deployed, "a Key Vault secret is written without a value given"));
        foreach (var name in SecretParameters)
        {
            var given = infra.Template.With(name, JsonValue.Create("not-a-real-value"));
            var secret = Assert.Single(given.DeployedOfType("Microsoft.KeyVault/vaults/secrets"));
            Assert.Equal($"[parameters('{name}')]", secret.GetRaw("properties.value")!.GetValue<string>());
        }
    }

    [Fact]
    public void Outputs_give_the_operator_the_names_and_the_identity_but_nothing_secret()
    {
        var outputs = infra.Template.Root["outputs"]!.AsObject();
        foreach (var name in new[] { "functionAppName", "storageAccountName", "queueNames", "poisonQueueNames", "tableNames", "keyVaultName", "keyVaultSecretNames", "identityClientId", "applicationInsightsName", "alertRuleNames" })
        {
            Assert.True(outputs.ContainsKey(name), "missing output " + name);
        }
        var text = outputs.ToJsonString();
        Assert.DoesNotContain("listKeys", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("ConnectionString", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("securestring", text, StringComparison.OrdinalIgnoreCase);

        var evaluated = infra.Evaluated().Evaluator;
        Assert.Equal(["push-calls", "push-messages", "push-devices"], evaluated.Evaluate(outputs["queueNames"]!["value"])!.AsArray().Select(q => q!.GetValue<string>()));
        Assert.Equal(["push-calls-poison", "push-messages-poison", "push-devices-poison"],
            evaluated.Evaluate(outputs["poisonQueueNames"]!["value"])!.AsArray().Select(q => q!.GetValue<string>()));
    }

    [Fact]
    public void Nothing_of_the_container_apps_deployment_is_left()
    {
        var types = infra.Template.Resources.Select(r => r.Type).ToHashSet(StringComparer.OrdinalIgnoreCase);
        Assert.DoesNotContain(types, t => t.StartsWith("Microsoft.App/", StringComparison.OrdinalIgnoreCase) || t.StartsWith("Microsoft.ContainerRegistry/", StringComparison.OrdinalIgnoreCase));
        Assert.False(infra.Template.ParameterDeclarations.ContainsKey("image"));
        Assert.False(File.Exists(Path.Combine(CompiledInfrastructure.InfraDirectory, "Dockerfile")));
    }
}
