using System.Text.Json.Nodes;
using Push.Infra.Tests.Infrastructure;

namespace Push.Infra.Tests;

/// <summary>`bicep lint` with infra/bicepconfig.json: the relay's files are clean, and the configuration really fails bad Bicep.</summary>
public sealed class BicepLintTests(BicepLintTests.LintRuns lint) : IClassFixture<BicepLintTests.LintRuns>
{
    /// <summary>The rules infra/bicepconfig.json must keep at error level: each guards a secret, a cloud URL or a dead declaration.</summary>
    public static readonly string[] RulesThatMustBeErrors =
    [
        "no-hardcoded-env-urls", "secure-parameter-default", "outputs-should-not-contain-secrets",
        "use-secure-value-for-secure-inputs", "no-unused-params", "no-unused-vars", "use-resource-id-functions",
        "adminusername-should-not-be-literal", "protect-commandtoexecute-secrets", "secure-secrets-in-params",
        "prefer-unquoted-property-names", "use-parent-property", "no-unnecessary-dependson", "simplify-interpolation",
        "no-hardcoded-location", "no-unused-existing-resources", "use-resource-symbol-reference", "use-stable-resource-identifiers",
    ];

    [Theory]
    [InlineData("main")]
    [InlineData("dev")]
    [InlineData("prod")]
    public void The_relay_infrastructure_lints_without_errors_or_warnings(string file)
    {
        var result = lint.Results[file];
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Errors);
        Assert.DoesNotContain(result.Warnings, w => w.Code != BicepBuildTests.ClockDependentRule);
    }

    [Fact]
    public void The_lint_configuration_raises_the_rules_that_matter_to_errors()
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(CompiledInfrastructure.InfraDirectory, "bicepconfig.json")))!;
        var rules = config["analyzers"]!["core"]!["rules"]!.AsObject();
        var notErrors = RulesThatMustBeErrors.Where(r => rules[r]?["level"]?.GetValue<string>() != "error").ToList();
        Assert.True(notErrors.Count == 0, "not at error level in infra/bicepconfig.json: " + string.Join(", ", notErrors));
    }

    [Fact]
    public void Bicep_that_breaks_the_rules_fails_lint_under_the_relay_configuration()
    {
        var result = lint.BadFile;
        Assert.NotEqual(0, result.ExitCode);
        var errors = result.Errors.Select(e => e.Code).ToHashSet();
        foreach (var rule in new[] { "no-unused-params", "no-unused-vars", "no-hardcoded-env-urls", "secure-secrets-in-params", "outputs-should-not-contain-secrets", "prefer-unquoted-property-names", "no-hardcoded-location" })
        {
            Assert.True(errors.Contains(rule), $"expected an error for {rule}; got:\n{result}");
        }
    }

    /// <summary>Each lint run once for the class: the relay's three files and a deliberately bad file under the same bicepconfig.json.</summary>
    public sealed class LintRuns : IAsyncLifetime
    {
        // Every line breaks one raised rule; the temp folder gets a copy of infra/bicepconfig.json.
        private const string BadBicep = """
            param unusedSetting string
            param storagePassword string = 'literal'

            var unusedVariable = 'x'

            resource account 'Microsoft.Storage/storageAccounts@2025-06-01' = {
              name: 'pushlintcheck'
              location: 'westeurope'
              kind: 'StorageV2'
              sku: {
                name: 'Standard_LRS'
              }
              tags: {
                'owner': 'push'
              }
            }

            output endpoint string = 'https://management.azure.com/${account.name}'
            output password string = storagePassword
            """;

        private string? _tempDirectory;

        public Dictionary<string, BicepResult> Results { get; } = [];

        public BicepResult BadFile { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            _tempDirectory = Directory.CreateTempSubdirectory("push-infra-lint-").FullName;
            File.Copy(Path.Combine(CompiledInfrastructure.InfraDirectory, "bicepconfig.json"), Path.Combine(_tempDirectory, "bicepconfig.json"));
            var badPath = Path.Combine(_tempDirectory, "bad.bicep");
            await File.WriteAllTextAsync(badPath, BadBicep);

            var main = BicepCli.RunAsync(["lint", CompiledInfrastructure.MainBicep]);
            var dev = BicepCli.RunAsync(["lint", CompiledInfrastructure.ParameterFile("dev")], CompiledInfrastructure.DeploymentVariables);
            var prod = BicepCli.RunAsync(["lint", CompiledInfrastructure.ParameterFile("prod")], CompiledInfrastructure.DeploymentVariables);
            var bad = BicepCli.RunAsync(["lint", badPath], workingDirectory: _tempDirectory);
            Results["main"] = await main;
            Results["dev"] = await dev;
            Results["prod"] = await prod;
            BadFile = await bad;
        }

        public Task DisposeAsync()
        {
            if (_tempDirectory is not null)
            {
                Directory.Delete(_tempDirectory, recursive: true);
            }
            return Task.CompletedTask;
        }
    }
}
