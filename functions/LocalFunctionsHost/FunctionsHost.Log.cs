using Microsoft.Extensions.Logging;

namespace LocalFunctionsHost;

internal sealed partial class FunctionsHost
{
    /// <remarks>Core Tools' own words for the same case.</remarks>
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "Skipping '{SettingName}' from local settings as it's already defined in current environment variables.")]
    private partial void LogSkippedValue(string settingName);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Starting the local Functions host for {ScriptRoot} (host id {HostId})")]
    private partial void LogStarting(string scriptRoot, string hostId);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Functions:")]
    private partial void LogFunctionsHeader();

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "    {FunctionName}: {Trigger}{State}")]
    private partial void LogFunction(string functionName, string trigger, string state);

    /// <remarks>The line scripts and tests wait for: every function is loaded and its listener started.</remarks>
    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Host started: {Count} functions loaded ({Functions})")]
    private partial void LogReady(int count, string functions);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Stopping: listeners stop, running invocations get {GracePeriod}")]
    private partial void LogStopping(TimeSpan gracePeriod);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Host stopped")]
    private partial void LogStopped();
}
