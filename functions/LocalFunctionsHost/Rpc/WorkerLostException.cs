namespace LocalFunctionsHost.Rpc;

/// <summary>The worker's stream ended (the process exited or was killed) while a request was outstanding.</summary>
internal sealed class WorkerLostException(string message) : Exception(message);
