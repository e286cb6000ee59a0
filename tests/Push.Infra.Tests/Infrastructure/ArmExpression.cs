using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Push.Infra.Tests.Infrastructure;

/// <summary>
/// Evaluates the part of ARM's template language the compiled relay template uses for names and settings:
/// literals, variables() (variable loops included), parameters(), copyIndex(), member and index access, format, concat,
/// union, if, equals, and/or/not, createObject/createArray, string, toLower, replace, take, empty, length, parseUri.
/// Anything else (resourceId, reference, uniqueString…) is only known in Azure: it evaluates to
/// <see cref="Unresolved"/> text quoting the call, so a test can still see what it refers to without pretending to
/// know its value, unless a <see cref="RuntimeFunctions"/> plays Azure's part for it.
/// </summary>
public sealed class ArmEvaluator
{
    private readonly JsonObject _variables;
    private readonly IReadOnlyDictionary<string, JsonNode?> _parameters;
    private readonly int? _copyIndex;
    private readonly IReadOnlyDictionary<string, int> _namedCopyIndexes;
    private readonly RuntimeFunctions? _runtime;

    /// <summary>Answers a function only Azure can evaluate (name, evaluated arguments), or null to leave it unresolved.</summary>
    public delegate JsonNode? RuntimeFunctions(string name, IReadOnlyList<JsonNode?> arguments);

    public ArmEvaluator(JsonObject variables, IReadOnlyDictionary<string, JsonNode?> parameters, int? copyIndex = null,
        IReadOnlyDictionary<string, int>? namedCopyIndexes = null, RuntimeFunctions? runtime = null)
    {
        _variables = variables;
        _parameters = parameters;
        _copyIndex = copyIndex;
        _namedCopyIndexes = namedCopyIndexes ?? new Dictionary<string, int>();
        _runtime = runtime;
    }

    public ArmEvaluator WithCopyIndex(int index) => new(_variables, _parameters, index, _namedCopyIndexes, _runtime);

    public ArmEvaluator WithNamedCopyIndex(string name, int index) =>
        new(_variables, _parameters, _copyIndex, new Dictionary<string, int>(_namedCopyIndexes) { [name] = index }, _runtime);

    /// <summary>Prefix of the text an unresolvable call evaluates to.</summary>
    public const string Unresolved = "<unresolved>";

    public static bool IsExpression(string text) => text.StartsWith('[') && !text.StartsWith("[[", StringComparison.Ordinal) && text.EndsWith(']');

    /// <summary>Evaluates a template value: expression strings are evaluated, objects and arrays element by element.</summary>
    public JsonNode? Evaluate(JsonNode? value) => value switch
    {
        JsonValue v when v.TryGetValue<string>(out var text) => IsExpression(text) ? EvaluateExpression(text[1..^1]) : JsonValue.Create(text),
        JsonObject o when o["copy"] is JsonArray loops && loops.All(l => l is JsonObject { } lo && lo.ContainsKey("input")) => ExpandPropertyLoops(o, loops),
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(EvaluateKey(p.Key), Evaluate(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Evaluate).ToArray()),
        null => null,
        _ => value.DeepClone(),
    };

    // A property name can be an expression too (userAssignedIdentities: { '[resourceId(...)]': {} }).
    private string EvaluateKey(string key) =>
        IsExpression(key) && EvaluateExpression(key[1..^1]) is JsonValue v && v.TryGetValue<string>(out var name) ? name : key;

    // A property loop ("copy": [{name, count, input}] inside an object) becomes an array property per loop.
    private JsonObject ExpandPropertyLoops(JsonObject obj, JsonArray loops)
    {
        var result = new JsonObject(obj.Where(p => p.Key != "copy").Select(p => KeyValuePair.Create(EvaluateKey(p.Key), Evaluate(p.Value))));
        foreach (var loop in loops.Select(l => l!.AsObject()))
        {
            result[loop["name"]!.GetValue<string>()] = ExpandLoop(loop);
        }
        return result;
    }

    private JsonArray ExpandLoop(JsonObject loop)
    {
        var name = loop["name"]!.GetValue<string>();
        var count = Evaluate(loop["count"]) is JsonValue c && c.TryGetValue<int>(out var n)
            ? n
            : throw new InvalidOperationException($"loop '{name}' has a count only Azure knows");
        var items = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            items.Add(WithNamedCopyIndex(name, i).Evaluate(loop["input"]));
        }
        return items;
    }

    public string EvaluateString(JsonNode? value) =>
        Evaluate(value) is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw new InvalidOperationException($"not a string: {value?.ToJsonString()}");

    public JsonNode? EvaluateExpression(string expression) => Eval(new Parser(expression).ParseWhole());

    /// <summary>The syntax tree of an expression (without the surrounding brackets).</summary>
    public static Node Parse(string expression) => new Parser(expression).ParseWhole();

    public JsonNode? Eval(Node node)
    {
        switch (node)
        {
            case Literal literal:
                return literal.Value?.DeepClone();
            case Member member:
            {
                var target = Eval(member.Target);
                return target is JsonObject o && TryGetCaseInsensitive(o, member.Name, out var value)
                    ? Evaluate(value)
                    : JsonValue.Create($"{Unresolved}{member.Source}");
            }
            case Index index:
            {
                var target = Eval(index.Target);
                var key = Eval(index.Key);
                if (target is JsonArray array && key is JsonValue k && k.TryGetValue<int>(out var i) && i >= 0 && i < array.Count)
                {
                    return Evaluate(array[i]);
                }
                if (target is JsonObject obj && key is JsonValue s && s.TryGetValue<string>(out var name) && TryGetCaseInsensitive(obj, name, out var v))
                {
                    return Evaluate(v);
                }
                return JsonValue.Create($"{Unresolved}{index.Source}");
            }
            case Call call:
                return EvalCall(call);
            default:
                throw new NotSupportedException(node.GetType().Name);
        }
    }

    private JsonNode? EvalCall(Call call)
    {
        string Str(int i) => Eval(call.Arguments[i]) is JsonValue v && v.TryGetValue<string>(out var s) ? s : (Eval(call.Arguments[i])?.ToJsonString() ?? "null");
        switch (call.Name.ToLowerInvariant())
        {
            case "variables":
            {
                var name = Str(0);
                if (TryGetCaseInsensitive(_variables, name, out var value))
                {
                    return Evaluate(value);
                }
                // A variable loop ("copy": [{name, count, input}] among the variables) is an array of its inputs.
                var loop = (_variables["copy"] as JsonArray)?.OfType<JsonObject>()
                    .FirstOrDefault(l => string.Equals(l["name"]?.GetValue<string>(), name, StringComparison.OrdinalIgnoreCase));
                return loop is not null
                    ? ExpandLoop(loop)
                    : throw new InvalidOperationException($"variables('{name}') is not declared");
            }
            case "parameters":
            {
                var name = Str(0);
                return _parameters.TryGetValue(name, out var value) ? Evaluate(value) : JsonValue.Create($"{Unresolved}{call.Source}");
            }
            case "copyindex":
                if (call.Arguments.Count == 0)
                {
                    return _copyIndex is { } i ? JsonValue.Create(i) : throw new InvalidOperationException("copyIndex() outside a copy loop");
                }
                return _namedCopyIndexes.TryGetValue(Str(0), out var named)
                    ? JsonValue.Create(named)
                    : throw new InvalidOperationException($"copyIndex('{Str(0)}') outside its loop");
            case "format":
            {
                var args = call.Arguments.Skip(1).Select(a => Eval(a) is JsonValue v && v.TryGetValue<string>(out var s) ? s : Eval(a)?.ToJsonString()).ToArray();
                return JsonValue.Create(string.Format(CultureInfo.InvariantCulture, Str(0), args));
            }
            case "concat":
            {
                var values = call.Arguments.Select(Eval).ToList();
                if (values.All(v => v is JsonArray))
                {
                    return new JsonArray(values.SelectMany(v => ((JsonArray)v!).Select(e => e?.DeepClone())).ToArray());
                }
                return JsonValue.Create(string.Concat(call.Arguments.Select((_, i) => Str(i))));
            }
            case "if":
            {
                var condition = Eval(call.Arguments[0]);
                if (condition is JsonValue c && c.TryGetValue<bool>(out var b))
                {
                    // ARM evaluates only the branch it takes (a reference() in the other may not exist).
                    return Eval(call.Arguments[b ? 1 : 2]);
                }
                return JsonValue.Create($"{Unresolved}{call.Source}");
            }
            case "equals":
            {
                var a = Eval(call.Arguments[0]);
                var b = Eval(call.Arguments[1]);
                if (IsUnresolved(a) || IsUnresolved(b))
                {
                    return JsonValue.Create($"{Unresolved}{call.Source}");
                }
                return JsonValue.Create(JsonNode.DeepEquals(a, b));
            }
            case "and":
            case "or":
            {
                var values = call.Arguments.Select(Eval).ToList();
                if (values.Any(v => v is not JsonValue b || !b.TryGetValue<bool>(out _)))
                {
                    return JsonValue.Create($"{Unresolved}{call.Source}");
                }
                var flags = values.Select(v => v!.GetValue<bool>());
                return JsonValue.Create(call.Name.Equals("and", StringComparison.OrdinalIgnoreCase) ? flags.All(f => f) : flags.Any(f => f));
            }
            case "union":
            {
                var values = call.Arguments.Select(Eval).ToList();
                if (values.All(v => v is JsonArray))
                {
                    var union = new JsonArray();
                    foreach (var item in values.SelectMany(v => ((JsonArray)v!)))
                    {
                        if (!union.Any(u => JsonNode.DeepEquals(u, item))) union.Add(item?.DeepClone());
                    }
                    return union;
                }
                if (values.All(v => v is JsonObject))
                {
                    var merged = new JsonObject();
                    foreach (var (key, value) in values.SelectMany(v => (JsonObject)v!)) merged[key] = value?.DeepClone();
                    return merged;
                }
                return JsonValue.Create($"{Unresolved}{call.Source}");
            }
            case "replace":
                return IsUnresolved(Eval(call.Arguments[0]))
                    ? JsonValue.Create($"{Unresolved}{call.Source}")
                    : JsonValue.Create(Str(0).Replace(Str(1), Str(2), StringComparison.Ordinal));
            case "take":
            {
                var target = Eval(call.Arguments[0]);
                var count = Eval(call.Arguments[1])!.GetValue<int>();
                return target switch
                {
                    JsonArray a => new JsonArray(a.Take(count).Select(e => e?.DeepClone()).ToArray()),
                    JsonValue v when v.TryGetValue<string>(out var s) && !IsUnresolved(v) => JsonValue.Create(s[..Math.Min(count, s.Length)]),
                    _ => JsonValue.Create($"{Unresolved}{call.Source}"),
                };
            }
            case "parseuri":
            {
                if (IsUnresolved(Eval(call.Arguments[0]))) return JsonValue.Create($"{Unresolved}{call.Source}");
                var uri = new Uri(Str(0));
                return new JsonObject { ["scheme"] = uri.Scheme, ["host"] = uri.Host, ["port"] = uri.Port, ["path"] = uri.AbsolutePath };
            }
            case "not":
                return Eval(call.Arguments[0]) is JsonValue nv && nv.TryGetValue<bool>(out var nb) ? JsonValue.Create(!nb) : JsonValue.Create($"{Unresolved}{call.Source}");
            case "empty":
                return Eval(call.Arguments[0]) switch
                {
                    JsonArray a => JsonValue.Create(a.Count == 0),
                    JsonObject o => JsonValue.Create(o.Count == 0),
                    JsonValue v when v.TryGetValue<string>(out var s) && !s.StartsWith(Unresolved, StringComparison.Ordinal) => JsonValue.Create(s.Length == 0),
                    null => JsonValue.Create(true),
                    _ => JsonValue.Create($"{Unresolved}{call.Source}"),
                };
            case "length":
                return Eval(call.Arguments[0]) switch
                {
                    JsonArray a => JsonValue.Create(a.Count),
                    JsonObject o => JsonValue.Create(o.Count),
                    JsonValue v when v.TryGetValue<string>(out var s) => JsonValue.Create(s.Length),
                    _ => JsonValue.Create($"{Unresolved}{call.Source}"),
                };
            case "string":
                return JsonValue.Create(Str(0));
            case "tolower":
                return JsonValue.Create(Str(0).ToLowerInvariant());
            case "createarray":
                return new JsonArray(call.Arguments.Select(Eval).ToArray());
            case "createobject":
            {
                var result = new JsonObject();
                for (var i = 0; i + 1 < call.Arguments.Count; i += 2)
                {
                    result[Str(i)] = Eval(call.Arguments[i + 1]);
                }
                return result;
            }
            case "true":
                return JsonValue.Create(true);
            case "false":
                return JsonValue.Create(false);
            case "null":
                return null;
            default:
                if (_runtime?.Invoke(call.Name, call.Arguments.Select(Eval).ToList()) is { } answer)
                {
                    return answer;
                }
                // Known only in Azure: keep the call, with its arguments evaluated, so a test can read what it refers to.
                return JsonValue.Create($"{Unresolved}{call.Name}({string.Join(", ", call.Arguments.Select(Render))})");
        }
    }

    private string Render(Node argument)
    {
        var value = Eval(argument);
        return value is JsonValue v && v.TryGetValue<string>(out var s) && !s.StartsWith(Unresolved, StringComparison.Ordinal)
            ? "'" + s + "'"
            : value is JsonValue u && u.TryGetValue<string>(out var unresolved) ? unresolved[Unresolved.Length..] : value?.ToJsonString() ?? "null";
    }

    public static bool IsUnresolved(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) && s.StartsWith(Unresolved, StringComparison.Ordinal);

    private static bool TryGetCaseInsensitive(JsonObject obj, string name, out JsonNode? value)
    {
        // ARM property and variable names are case-insensitive.
        foreach (var (key, v) in obj)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                value = v;
                return true;
            }
        }
        value = null;
        return false;
    }

    public abstract record Node(string Source);

    public sealed record Literal(JsonNode? Value, string Source) : Node(Source);

    public sealed record Call(string Name, IReadOnlyList<Node> Arguments, string Source) : Node(Source);

    public sealed record Member(Node Target, string Name, string Source) : Node(Source);

    public sealed record Index(Node Target, Node Key, string Source) : Node(Source);

    private sealed class Parser(string text)
    {
        private int _pos;

        public Node ParseWhole()
        {
            var node = ParseExpression();
            SkipSpaces();
            if (_pos != text.Length)
            {
                throw new FormatException($"unexpected '{text[_pos..]}' in [{text}]");
            }
            return node;
        }

        private Node ParseExpression()
        {
            SkipSpaces();
            var start = _pos;
            Node node = ParsePrimary();
            while (true)
            {
                SkipSpaces();
                if (Peek('.'))
                {
                    _pos++;
                    var name = ReadIdentifier();
                    node = new Member(node, name, text[start.._pos]);
                }
                else if (Peek('['))
                {
                    _pos++;
                    var key = ParseExpression();
                    SkipSpaces();
                    Expect(']');
                    node = new Index(node, key, text[start.._pos]);
                }
                else
                {
                    return node;
                }
            }
        }

        private Node ParsePrimary()
        {
            var start = _pos;
            if (Peek('\''))
            {
                return new Literal(JsonValue.Create(ReadString()), text[start.._pos]);
            }
            if (_pos < text.Length && (char.IsDigit(text[_pos]) || text[_pos] == '-'))
            {
                var begin = _pos++;
                while (_pos < text.Length && char.IsDigit(text[_pos])) _pos++;
                return new Literal(JsonValue.Create(int.Parse(text[begin.._pos], CultureInfo.InvariantCulture)), text[start.._pos]);
            }
            var name = ReadIdentifier();
            SkipSpaces();
            Expect('(');
            var arguments = new List<Node>();
            SkipSpaces();
            if (!Peek(')'))
            {
                while (true)
                {
                    arguments.Add(ParseExpression());
                    SkipSpaces();
                    if (Peek(','))
                    {
                        _pos++;
                        continue;
                    }
                    break;
                }
            }
            Expect(')');
            return new Call(name, arguments, text[start.._pos]);
        }

        private string ReadString()
        {
            Expect('\'');
            var result = new StringBuilder();
            while (true)
            {
                if (_pos >= text.Length) throw new FormatException("unterminated string in [" + text + "]");
                var c = text[_pos++];
                if (c == '\'')
                {
                    if (Peek('\''))
                    {
                        result.Append('\'');
                        _pos++;
                        continue;
                    }
                    return result.ToString();
                }
                result.Append(c);
            }
        }

        private string ReadIdentifier()
        {
            var begin = _pos;
            while (_pos < text.Length && (char.IsLetterOrDigit(text[_pos]) || text[_pos] == '_')) _pos++;
            if (begin == _pos) throw new FormatException($"identifier expected at {_pos} in [{text}]");
            return text[begin.._pos];
        }

        private void SkipSpaces()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++;
        }

        private bool Peek(char c) => _pos < text.Length && text[_pos] == c;

        private void Expect(char c)
        {
            if (!Peek(c)) throw new FormatException($"'{c}' expected at {_pos} in [{text}]");
            _pos++;
        }
    }
}
