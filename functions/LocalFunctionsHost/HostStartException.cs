namespace LocalFunctionsHost;

/// <summary>The host cannot start; each error names the setting, file or function at fault.</summary>
internal sealed class HostStartException(IReadOnlyList<string> errors) : Exception(string.Join("; ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
