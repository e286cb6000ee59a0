using System.Text.Json.Serialization;

namespace LocalFunctionsHost.Timers;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ScheduleStatus))]
internal sealed partial class ScheduleStatusJsonContext : JsonSerializerContext;
