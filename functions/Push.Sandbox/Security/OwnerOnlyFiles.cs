using System.Text;

namespace Push.Sandbox.Security;

/// <summary>
/// The state directory and the private keys in it are for their owner only (0700 / 0600): they sign every
/// provider token the relay presents. On Windows the folder's inherited ACL applies instead.
/// </summary>
internal static class OwnerOnlyFiles
{
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode DirectoryMode = FileMode | UnixFileMode.UserExecute;

    /// <summary>
    /// Creates <paramref name="path"/> 0700 when it is missing. An existing folder keeps its mode: it may be any
    /// folder the user named (scripts/dev secures .local/sandbox itself), and the keys in it are 0600 regardless.
    /// </summary>
    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path, DirectoryMode);
        }
    }

    /// <summary>Writes a file that is 0600 before its first byte: created so, or taken back if an older run left it readable.</summary>
    public static void Write(string path, string content)
    {
        var options = new FileStreamOptions { Mode = System.IO.FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }
        using var stream = new FileStream(path, options);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(stream.SafeFileHandle, FileMode);
        }
        stream.Write(Encoding.UTF8.GetBytes(content));
    }

    /// <summary>Takes back a file an older run left readable by others.</summary>
    public static void Restrict(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, FileMode);
        }
    }
}
