using System.Text.Json.Nodes;
using Push.Testing;

namespace Push.Infra.Tests.Infrastructure;

/// <summary>
/// infra/main.bicep and both parameter files compiled once per test run (bicep takes ~1.5 s a file), shared by
/// the test classes that read the result.
/// </summary>
public sealed class CompiledInfrastructure : IAsyncLifetime
{
    /// <summary>Values for the variables the parameter files read (well-formed, obviously not real).</summary>
    public static readonly IReadOnlyDictionary<string, string> DeploymentVariables = new Dictionary<string, string>
    {
        ["APNS_TEAM_ID"] = "TEAM123456",
        ["APNS_KEY_ID"] = "KEY1234567",
        ["FCM_PROJECT_ID"] = "push-relay-test",
    };

    private static readonly Lazy<Task<Compiled>> Shared = new(CompileAsync);

    public static string InfraDirectory => RepositoryPaths.Combine("infra");

    public static string MainBicep => Path.Combine(InfraDirectory, "main.bicep");

    public static string ParameterFile(string environment) => Path.Combine(InfraDirectory, "parameters", environment + ".bicepparam");

    public BicepResult Build { get; private set; } = null!;

    public IReadOnlyDictionary<string, BicepResult> BuildParams { get; private set; } = null!;

    /// <summary>The template evaluated with the prod parameter file's values.</summary>
    public ArmTemplate Template { get; private set; } = null!;

    /// <summary>Parameter values per environment, as build-params produced them.</summary>
    public IReadOnlyDictionary<string, JsonObject> Parameters { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var compiled = await Shared.Value;
        Build = compiled.Build;
        BuildParams = compiled.BuildParams;
        Parameters = compiled.Parameters;
        Assert.True(Build.ExitCode == 0, "bicep build infra/main.bicep failed:\n" + Build);
        Template = new ArmTemplate(Build.StandardOutput, ToValues(Parameters["prod"]));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public ArmTemplate TemplateFor(string environment) => new(Build.StandardOutput, ToValues(Parameters[environment]));

    /// <summary>
    /// The template with a parameter file's values as Azure would evaluate it (<see cref="SimulatedAzure"/> answering
    /// resourceId, reference, uniqueString), optionally on the other transport.
    /// </summary>
    public ArmTemplate Evaluated(string environment = "prod", string? transport = null)
    {
        var template = TemplateFor(environment).WithRuntime(SimulatedAzure.Answer);
        return transport is null ? template : template.With("transport", JsonValue.Create(transport));
    }

    private static Dictionary<string, JsonNode?> ToValues(JsonObject parameters) =>
        parameters.ToDictionary(p => p.Key, p => p.Value?["value"]?.DeepClone());

    private static async Task<Compiled> CompileAsync()
    {
        var build = BicepCli.RunAsync(["build", MainBicep, "--stdout"]);
        var dev = BicepCli.RunAsync(["build-params", ParameterFile("dev"), "--stdout"], DeploymentVariables);
        var prod = BicepCli.RunAsync(["build-params", ParameterFile("prod"), "--stdout"], DeploymentVariables);
        var buildParams = new Dictionary<string, BicepResult> { ["dev"] = await dev, ["prod"] = await prod };
        var parameters = new Dictionary<string, JsonObject>();
        foreach (var (environment, result) in buildParams)
        {
            Assert.True(result.ExitCode == 0, $"bicep build-params {environment}.bicepparam failed:\n{result}");
            // build-params --stdout prints {"parametersJson": "<ARM parameters file as a string>", ...}.
            var envelope = JsonNode.Parse(result.StandardOutput)!;
            var parametersFile = JsonNode.Parse(envelope["parametersJson"]!.GetValue<string>())!;
            parameters[environment] = parametersFile["parameters"]!.AsObject();
        }
        return new Compiled(await build, buildParams, parameters);
    }

    private sealed record Compiled(BicepResult Build, IReadOnlyDictionary<string, BicepResult> BuildParams,
        IReadOnlyDictionary<string, JsonObject> Parameters);
}
