using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Push.Testing;

namespace Push.Infra.Tests.Infrastructure;

/// <summary>
/// The Function App as the build left it (functions/Push.Functions/bin/&lt;configuration&gt;/net10.0, built before these
/// tests through the project reference): the functions the host will index from functions.metadata, the framework the
/// worker runs on, and host.json. This, not a copy of the names, is what the template is checked against.
/// </summary>
public static partial class BuiltApp
{
    public static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string Folder => RepositoryPaths.Combine("functions", "Push.Functions", "bin", Configuration, "net10.0");

    private static readonly Lazy<IReadOnlyList<BuiltFunction>> FunctionsLazy = new(ReadFunctions);

    /// <summary>Every function of functions.metadata.</summary>
    public static IReadOnlyList<BuiltFunction> Functions => FunctionsLazy.Value;

    public static JsonObject Read(string file)
    {
        var path = Path.Combine(Folder, file);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} is missing: build tests/Push.Infra.Tests (it builds functions/Push.Functions first).", path);
        }
        return JsonNode.Parse(File.ReadAllText(path))!.AsObject();
    }

    /// <summary>"10.0" for net10.0: the major.minor of Microsoft.NETCore.App in the worker's runtimeconfig.json.</summary>
    public static string DotnetVersion
    {
        get
        {
            var framework = Read("Push.Functions.runtimeconfig.json")["runtimeOptions"]!["framework"]!;
            var version = Version.Parse(framework["version"]!.GetValue<string>());
            return $"{version.Major}.{version.Minor}";
        }
    }

    private static List<BuiltFunction> ReadFunctions()
    {
        var path = Path.Combine(Folder, "functions.metadata");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} is missing: build tests/Push.Infra.Tests (it builds functions/Push.Functions first).", path);
        }
        return JsonNode.Parse(File.ReadAllText(path))!.AsArray().Select(f => f!.AsObject()).Select(f =>
        {
            var trigger = f["bindings"]!.AsArray().Select(b => b!.AsObject())
                .Single(b => b["type"]!.GetValue<string>().EndsWith("Trigger", StringComparison.Ordinal));
            return new BuiltFunction(
                f["name"]!.GetValue<string>(),
                trigger["type"]!.GetValue<string>(),
                trigger["queueName"]?.GetValue<string>(),
                trigger["schedule"]?.GetValue<string>(),
                trigger["connection"]?.GetValue<string>());
        }).ToList();
    }

    /// <summary>The app-setting name behind a "%Section:Key%" binding expression, or null for a literal.</summary>
    public static string? SettingOf(string? bindingValue) =>
        bindingValue is not null && AppSettingExpression().Match(bindingValue) is { Success: true } match ? match.Groups[1].Value : null;

    [GeneratedRegex("^%([^%]+)%$")]
    private static partial Regex AppSettingExpression();
}

/// <summary>One function of functions.metadata and its trigger.</summary>
public sealed record BuiltFunction(string Name, string TriggerType, string? QueueName, string? Schedule, string? Connection)
{
    public bool IsQueueTriggered => TriggerType == "queueTrigger";

    public bool IsTimerTriggered => TriggerType == "timerTrigger";

    /// <summary>The configuration key (':' separated) the trigger's queue name or schedule is read from.</summary>
    public string? SettingKey => BuiltApp.SettingOf(QueueName ?? Schedule);
}
