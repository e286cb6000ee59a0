namespace LocalFunctionsHost.Worker;

/// <summary>The worker could not be started, did not connect in time, or failed to initialise or index its functions.</summary>
internal sealed class WorkerStartException(string message, Exception? inner = null) : Exception(message, inner);
