using Push.Testing;

namespace LocalFunctionsHost.Tests.Infrastructure;

/// <summary>What /proc says about a process.</summary>
internal static class Processes
{
    /// <summary>Alive = listed in /proc and not a zombie (a zombie has exited; only its exit status is left).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state != "Z" && state != "X";
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }

    /// <summary>Waits until <paramref name="pid"/> is gone; false if it still lives at the deadline.</summary>
    public static async Task<bool> WaitUntilGoneAsync(int pid, TimeSpan timeout)
    {
        try
        {
            await Eventually.TrueAsync(() => !IsAlive(pid), $"process {pid} to end", timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
