using System.Text.Json;
using System.Text.RegularExpressions;
using LocalFunctionsHost.Configuration;
using LocalFunctionsHost.Rpc;
using LocalFunctionsHost.Timers;

namespace LocalFunctionsHost.Functions;

/// <summary>
/// Turns the worker's function metadata into <see cref="FunctionDescriptor"/>s: finds each function's trigger in its
/// raw bindings, resolves <c>%Setting%</c> names from the app settings (as the Functions host's name resolver does),
/// checks queue names and schedules, and applies <c>AzureWebJobs.&lt;name&gt;.Disabled</c>. Every problem is reported,
/// naming the function and the setting or property.
/// </summary>
internal static partial class FunctionCatalog
{
    public const string QueueTriggerType = "queueTrigger";
    public const string TimerTriggerType = "timerTrigger";

    public static List<FunctionDescriptor> Build(IEnumerable<RpcFunctionMetadata> metadata, AppSettings settings, List<string> errors)
    {
        var functions = new List<FunctionDescriptor>();
        foreach (var function in metadata)
        {
            var bindings = new List<JsonElement>();
            foreach (var raw in function.RawBindings)
            {
                try
                {
                    using var document = JsonDocument.Parse(raw);
                    bindings.Add(document.RootElement.Clone());
                }
                catch (JsonException)
                {
                    errors.Add($"function {function.Name}: a binding in the worker's metadata is not valid JSON");
                }
            }
            var trigger = bindings.FirstOrDefault(b => String(b, "type") is { } type && type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase));
            var triggerType = trigger.ValueKind == JsonValueKind.Object ? String(trigger, "type") : null;
            var disabled = IsDisabled(settings, function.Name);
            QueueTrigger? queue = null;
            TimerTrigger? timer = null;
            if (!disabled && string.Equals(triggerType, QueueTriggerType, StringComparison.OrdinalIgnoreCase))
            {
                queue = ReadQueueTrigger(function.Name, trigger, settings, errors);
            }
            else if (!disabled && string.Equals(triggerType, TimerTriggerType, StringComparison.OrdinalIgnoreCase))
            {
                timer = ReadTimerTrigger(function.Name, trigger, settings, errors);
            }
            functions.Add(new FunctionDescriptor
            {
                Name = function.Name,
                Metadata = function,
                TriggerType = triggerType,
                Queue = queue,
                Timer = timer,
                Disabled = disabled,
            });
        }
        foreach (var duplicate in functions.GroupBy(f => f.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            errors.Add($"function name '{duplicate.Key}' is declared more than once");
        }
        return functions;
    }

    /// <summary>The Functions host's switch: app setting <c>AzureWebJobs.&lt;name&gt;.Disabled</c> = true (or 1).</summary>
    public static bool IsDisabled(AppSettings settings, string functionName) =>
        settings[$"AzureWebJobs.{functionName}.Disabled"] is { } value
        && (string.Equals(value.Trim(), "true", StringComparison.OrdinalIgnoreCase) || value.Trim() == "1");

    /// <summary>
    /// Replaces every <c>%Name%</c> in <paramref name="value"/> by that app setting; null (with an error naming the
    /// function, the property and the setting) when one is missing or empty.
    /// </summary>
    public static string? Resolve(string functionName, string property, string value, AppSettings settings, List<string> errors)
    {
        var failed = false;
        var resolved = SettingReference().Replace(value, match =>
        {
            var name = match.Groups[1].Value;
            if (settings[name] is { } setting) return setting;
            errors.Add($"function {functionName}: {property} '{value}' names the app setting '{name}', which is missing or empty");
            failed = true;
            return match.Value;
        });
        return failed ? null : resolved;
    }

    private static QueueTrigger? ReadQueueTrigger(string functionName, JsonElement binding, AppSettings settings, List<string> errors)
    {
        var parameter = String(binding, "name") ?? "message";
        var rawQueue = String(binding, "queueName");
        string? queueName = null;
        if (string.IsNullOrWhiteSpace(rawQueue))
        {
            errors.Add($"function {functionName}: its queueTrigger has no queueName");
        }
        else if (Resolve(functionName, "queueName", rawQueue, settings, errors) is { } resolved)
        {
            // The Functions queue extension lower-cases the resolved name before using it.
            queueName = resolved.Trim().ToLowerInvariant();
            if (!IsValidQueueName(queueName))
            {
                errors.Add($"function {functionName}: queueName '{rawQueue}' must resolve to 3..56 lower-case letters, digits and single hyphens (56 leaves room for '-poison')");
                queueName = null;
            }
        }
        var connection = ResolveConnection(functionName, String(binding, "connection"), settings, errors);
        var properties = binding.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
        var deferred = properties.ValueKind == JsonValueKind.Object && properties.EnumerateObject()
            .Any(x => string.Equals(x.Name, "supportsDeferredBinding", StringComparison.OrdinalIgnoreCase)
                && (x.Value.ValueKind == JsonValueKind.True || (x.Value.ValueKind == JsonValueKind.String && bool.TryParse(x.Value.GetString(), out var b) && b)));
        var binary = string.Equals(String(binding, "dataType"), "binary", StringComparison.OrdinalIgnoreCase);
        if (queueName is null || connection is null) return null;
        return new QueueTrigger(parameter, queueName, connection.Value.Setting, connection.Value.Value, deferred, binary);
    }

    private static TimerTrigger? ReadTimerTrigger(string functionName, JsonElement binding, AppSettings settings, List<string> errors)
    {
        var parameter = String(binding, "name") ?? "timer";
        var rawSchedule = String(binding, "schedule");
        if (string.IsNullOrWhiteSpace(rawSchedule))
        {
            errors.Add($"function {functionName}: its timerTrigger has no schedule");
            return null;
        }
        if (Resolve(functionName, "schedule", rawSchedule, settings, errors) is not { } expression) return null;
        TimerSchedule schedule;
        try
        {
            schedule = TimerSchedule.Parse(expression);
        }
        catch (FormatException ex)
        {
            errors.Add($"function {functionName}: schedule '{rawSchedule}' {ex.Message}");
            return null;
        }
        return new TimerTrigger(parameter, schedule, Bool(binding, "runOnStartup", false), Bool(binding, "useMonitor", true));
    }

    /// <summary>
    /// The connection setting as the Functions host looks it up: the binding's <c>connection</c> (default
    /// AzureWebJobsStorage), else the same name prefixed with "AzureWebJobs". Only connection strings are supported.
    /// </summary>
    private static (string Setting, string Value)? ResolveConnection(string functionName, string? connection, AppSettings settings, List<string> errors)
    {
        var name = string.IsNullOrWhiteSpace(connection) ? HostSettings.StorageSetting : connection.Trim();
        if (settings[name] is { } value) return (name, value);
        if (settings["AzureWebJobs" + name] is { } prefixed) return ("AzureWebJobs" + name, prefixed);
        var identityBased = settings.Configuration.GetSection(name).GetChildren().Any();
        errors.Add(identityBased
            ? $"function {functionName}: connection '{name}' is identity-based ({name}__…); this host needs a connection string in the app setting '{name}'"
            : $"function {functionName}: the connection app setting '{name}' is missing or empty");
        return null;
    }

    private static bool IsValidQueueName(string name) => name.Length is >= 3 and <= 56 && QueueName().IsMatch(name);

    private static string? String(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object) return null;
        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind == JsonValueKind.String)
            {
                return property.Value.GetString();
            }
        }
        return null;
    }

    private static bool Bool(JsonElement element, string name, bool defaultValue)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (!string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase)) continue;
            return property.Value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.String when bool.TryParse(property.Value.GetString(), out var b) => b,
                _ => defaultValue,
            };
        }
        return defaultValue;
    }

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex SettingReference();

    [GeneratedRegex("^[a-z0-9](?!.*--)[a-z0-9-]*[a-z0-9]$")]
    private static partial Regex QueueName();
}
