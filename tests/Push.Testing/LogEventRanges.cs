using System.Reflection;
using System.Text.RegularExpressions;
using Xunit;

namespace Push.Testing;

/// <summary>
/// A project's EventId table (its <c>LogEvents.md</c>: rows <c>| first-last | class |</c>) against the
/// <c>[LoggerMessage]</c> methods compiled into its assembly: every EventId unique, and inside its class's row.
/// </summary>
public static partial class LogEventRanges
{
    public static void AssertAgree(Assembly assembly, string tablePath)
    {
        var ranges = File.ReadAllLines(tablePath)
            .Select(line => Row().Match(line))
            .Where(m => m.Success)
            .ToDictionary(m => m.Groups["class"].Value, m => (First: int.Parse(m.Groups["first"].Value), Last: int.Parse(m.Groups["last"].Value)));
        Assert.NotEmpty(ranges);

        var events = assembly.GetTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Select(method => (Type: type, Method: method, EventId: EventId(method))))
            .Where(e => e.EventId is not null)
            .Select(e => (e.Type, e.Method, EventId: e.EventId!.Value))
            .ToList();
        Assert.NotEmpty(events);

        var collisions = events.GroupBy(e => e.EventId).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: " + string.Join(", ", g.Select(e => $"{e.Type.Name}.{e.Method.Name}")))
            .ToList();
        Assert.True(collisions.Count == 0, "EventIds used twice: " + string.Join("; ", collisions));

        var outside = events
            .Where(e => !ranges.TryGetValue(OuterName(e.Type), out var range) || e.EventId < range.First || e.EventId > range.Last)
            .Select(e => $"{OuterName(e.Type)}.{e.Method.Name} ({e.EventId})")
            .ToList();
        Assert.True(outside.Count == 0, $"EventIds outside their class's row of {Path.GetFileName(tablePath)}: " + string.Join(", ", outside));
    }

    // By name, so this library needs no logging package: the attribute's EventId, positional or named.
    private static int? EventId(MethodInfo method)
    {
        var attribute = method.CustomAttributes.FirstOrDefault(a => a.AttributeType.FullName == "Microsoft.Extensions.Logging.LoggerMessageAttribute");
        if (attribute is null) return null;
        foreach (var named in attribute.NamedArguments)
        {
            if (named.MemberName == "EventId") return (int)named.TypedValue.Value!;
        }
        var positional = attribute.ConstructorArguments.FirstOrDefault(a => a.ArgumentType == typeof(int));
        return positional.Value is int id ? id : null;
    }

    private static string OuterName(Type type)
    {
        while (type.DeclaringType is { } outer) type = outer;
        return type.Name;
    }

    [GeneratedRegex(@"^\|\s*(?<first>\d+)-(?<last>\d+)\s*\|\s*(?<class>\w+)\s*\|")]
    private static partial Regex Row();
}
