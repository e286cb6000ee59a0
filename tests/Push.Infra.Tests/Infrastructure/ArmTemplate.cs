using System.Text.Json.Nodes;

namespace Push.Infra.Tests.Infrastructure;

/// <summary>
/// The compiled ARM template of infra/main.bicep, with the names of what it creates worked out from its
/// expressions (copy loops expanded) for one set of parameter values.
/// </summary>
public sealed class ArmTemplate
{
    private readonly JsonObject _root;
    private readonly Dictionary<string, JsonNode?> _parameters;
    private readonly ArmEvaluator.RuntimeFunctions? _runtime;

    public ArmTemplate(string json, IReadOnlyDictionary<string, JsonNode?>? parameterValues = null, ArmEvaluator.RuntimeFunctions? runtime = null)
    {
        _runtime = runtime;
        _root = JsonNode.Parse(json)?.AsObject() ?? throw new InvalidOperationException("empty template");
        _parameters = new Dictionary<string, JsonNode?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, declaration) in _root["parameters"]?.AsObject() ?? [])
        {
            if (declaration?["defaultValue"] is { } defaultValue)
            {
                _parameters[name] = defaultValue.DeepClone();
            }
        }
        foreach (var (name, value) in parameterValues ?? new Dictionary<string, JsonNode?>())
        {
            _parameters[name] = value?.DeepClone();
        }
    }

    public JsonObject Root => _root;

    public JsonObject Variables => _root["variables"]?.AsObject() ?? [];

    public JsonObject ParameterDeclarations => _root["parameters"]?.AsObject() ?? [];

    /// <summary>A copy of this template evaluated with other parameter values (e.g. transport = serviceBus).</summary>
    public ArmTemplate With(string parameter, JsonNode? value)
    {
        var values = new Dictionary<string, JsonNode?>(_parameters, StringComparer.OrdinalIgnoreCase) { [parameter] = value };
        return new ArmTemplate(_root.ToJsonString(), values, _runtime);
    }

    /// <summary>A copy of this template whose Azure-only functions (resourceId, reference, uniqueString…) <paramref name="runtime"/> answers.</summary>
    public ArmTemplate WithRuntime(ArmEvaluator.RuntimeFunctions runtime) => new(_root.ToJsonString(), _parameters, runtime);

    public ArmEvaluator Evaluator => new(Variables, _parameters, runtime: _runtime);

    /// <summary>Every resource, with its copy loop (if any) expanded: one instance per index.</summary>
    public IEnumerable<ResourceInstance> Resources
    {
        get
        {
            var resources = _root["resources"] switch
            {
                JsonArray array => array.Select(r => r!.AsObject()),
                // Symbolic-name templates (languageVersion 2.0) keep resources in an object.
                JsonObject obj => obj.Select(p => p.Value!.AsObject()),
                _ => [],
            };
            foreach (var resource in resources)
            {
                if (resource["existing"]?.GetValue<bool>() == true)
                {
                    continue;
                }
                if (resource["copy"] is JsonObject copy)
                {
                    var count = Evaluator.Evaluate(copy["count"]);
                    var n = count is JsonValue v && v.TryGetValue<int>(out var c)
                        ? c
                        : throw new InvalidOperationException($"copy count of {resource["type"]} is not known offline: {copy["count"]}");
                    for (var i = 0; i < n; i++)
                    {
                        yield return new ResourceInstance(resource, Evaluator.WithCopyIndex(i));
                    }
                }
                else
                {
                    yield return new ResourceInstance(resource, Evaluator);
                }
            }
        }
    }

    public IEnumerable<ResourceInstance> OfType(string type) =>
        Resources.Where(r => string.Equals(r.Type, type, StringComparison.OrdinalIgnoreCase));

    /// <summary>The instances of <paramref name="type"/> these parameter values deploy.</summary>
    public IEnumerable<ResourceInstance> DeployedOfType(string type) => OfType(type).Where(r => r.Deployed == true);
}

/// <summary>One resource of the template (one index of a copy loop), evaluated in its own copy context.</summary>
public sealed class ResourceInstance(JsonObject definition, ArmEvaluator evaluator)
{
    public JsonObject Definition => definition;

    public ArmEvaluator Evaluator => evaluator;

    public string Type => definition["type"]!.GetValue<string>();

    /// <summary>Whether this instance is deployed with the template's parameter values (null: only Azure could say).</summary>
    public bool? Deployed => definition["condition"] is not { } condition
        ? true
        : evaluator.Evaluate(condition) is JsonValue v && v.TryGetValue<bool>(out var deployed) ? deployed : null;

    /// <summary>
    /// The resource's own name: the last segment of its "parent/child" name. Parent segments start with the
    /// account or namespace name, which only Azure can compute (uniqueString of the resource group).
    /// </summary>
    public string LeafName
    {
        get
        {
            var raw = definition["name"]!.GetValue<string>();
            if (!ArmEvaluator.IsExpression(raw))
            {
                return raw.Split('/')[^1];
            }
            var node = ArmEvaluator.Parse(raw[1..^1]);
            if (node is ArmEvaluator.Call { Name: "format" } call && call.Arguments.Count > 1
                && evaluator.Eval(call.Arguments[0])?.GetValue<string>() is { } format && format.Contains('/'))
            {
                node = call.Arguments[^1];
            }
            var value = evaluator.Eval(node);
            return value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value?.ToJsonString() ?? "";
        }
    }

    /// <summary>A property (path like "properties.template.containers"), evaluated.</summary>
    public JsonNode? Get(string path)
    {
        JsonNode? node = definition;
        foreach (var part in path.Split('.'))
        {
            node = node is JsonObject o ? o[part] : null;
            if (node is null) return null;
        }
        return evaluator.Evaluate(node);
    }

    /// <summary>The raw (unevaluated) property, to see what an unresolvable expression refers to.</summary>
    public JsonNode? GetRaw(string path)
    {
        JsonNode? node = definition;
        foreach (var part in path.Split('.'))
        {
            node = node is JsonObject o ? o[part] : null;
            if (node is null) return null;
        }
        return node;
    }
}
