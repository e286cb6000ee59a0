using System.Text.Json.Nodes;

namespace Push.Infra.Tests.Infrastructure;

/// <summary>The container apps of a compiled template, each with its evaluated settings, secrets, volumes and scale rules.</summary>
public sealed record RelayApp(string Name, JsonObject Container, JsonObject Configuration, JsonObject Template, ResourceInstance Resource)
{
    public static IReadOnlyList<RelayApp> From(ArmTemplate template) => template.OfType("Microsoft.App/containerApps")
        .Select(r =>
        {
            var appTemplate = r.Get("properties.template")!.AsObject();
            var container = appTemplate["containers"]!.AsArray().Single()!.AsObject();
            return new RelayApp(r.LeafName, container, r.Get("properties.configuration")!.AsObject(), appTemplate, r);
        })
        .ToList();

    public IReadOnlyList<JsonObject> Env => Container["env"]!.AsArray().Select(e => e!.AsObject()).ToList();

    public IEnumerable<string> EnvNames => Env.Select(e => e["name"]!.GetValue<string>());

    public JsonObject EnvEntry(string name) => Env.SingleOrDefault(e => e["name"]!.GetValue<string>() == name)
        ?? throw new Xunit.Sdk.XunitException($"app {Name} has no setting {name}; it has: {string.Join(", ", EnvNames)}");

    public string EnvValue(string name) => EnvEntry(name)["value"]?.GetValue<string>()
        ?? throw new Xunit.Sdk.XunitException($"setting {name} of app {Name} has no plain value");

    public IReadOnlyList<JsonObject> Secrets => Configuration["secrets"]!.AsArray().Select(s => s!.AsObject()).ToList();

    public IReadOnlyList<JsonObject> ScaleRules => Template["scale"]!["rules"]!.AsArray().Select(s => s!.AsObject()).ToList();
}
