using System.Reflection;
using Renci.SshNet.Sftp;

namespace RControl.Transports.Files;

/// <summary>Permission bits between <see cref="UnixFileMode"/> and SSH.NET's <see cref="SftpFileAttributes"/>.</summary>
internal static class SftpModes
{
    private const uint PermissionMask = 0xFFF; // 07777

    private static readonly ConstructorInfo AttributesConstructor =
        typeof(SftpFileAttributes).GetConstructors(BindingFlags.Instance | BindingFlags.NonPublic)
            .FirstOrDefault(c => c.GetParameters().Length == 7)
        ?? throw new MissingMethodException(nameof(SftpFileAttributes), ".ctor(7)");

    public static UnixFileMode Get(SftpFileAttributes a)
    {
        var mode = UnixFileMode.None;
        void Add(bool on, UnixFileMode bit) => mode |= on ? bit : UnixFileMode.None;
        Add(a.OwnerCanRead, UnixFileMode.UserRead);
        Add(a.OwnerCanWrite, UnixFileMode.UserWrite);
        Add(a.OwnerCanExecute, UnixFileMode.UserExecute);
        Add(a.GroupCanRead, UnixFileMode.GroupRead);
        Add(a.GroupCanWrite, UnixFileMode.GroupWrite);
        Add(a.GroupCanExecute, UnixFileMode.GroupExecute);
        Add(a.OthersCanRead, UnixFileMode.OtherRead);
        Add(a.OthersCanWrite, UnixFileMode.OtherWrite);
        Add(a.OthersCanExecute, UnixFileMode.OtherExecute);
        Add(a.IsUIDBitSet, UnixFileMode.SetUser);
        Add(a.IsGroupIDBitSet, UnixFileMode.SetGroup);
        Add(a.IsStickyBitSet, UnixFileMode.StickyBit);
        return mode;
    }

    public static void Set(SftpFileAttributes a, UnixFileMode mode)
    {
        a.OwnerCanRead = mode.HasFlag(UnixFileMode.UserRead);
        a.OwnerCanWrite = mode.HasFlag(UnixFileMode.UserWrite);
        a.OwnerCanExecute = mode.HasFlag(UnixFileMode.UserExecute);
        a.GroupCanRead = mode.HasFlag(UnixFileMode.GroupRead);
        a.GroupCanWrite = mode.HasFlag(UnixFileMode.GroupWrite);
        a.GroupCanExecute = mode.HasFlag(UnixFileMode.GroupExecute);
        a.OthersCanRead = mode.HasFlag(UnixFileMode.OtherRead);
        a.OthersCanWrite = mode.HasFlag(UnixFileMode.OtherWrite);
        a.OthersCanExecute = mode.HasFlag(UnixFileMode.OtherExecute);
        a.IsUIDBitSet = mode.HasFlag(UnixFileMode.SetUser);
        a.IsGroupIDBitSet = mode.HasFlag(UnixFileMode.SetGroup);
        a.IsStickyBitSet = mode.HasFlag(UnixFileMode.StickyBit);
    }

    /// <summary>
    /// Attributes that serialize to the permissions alone: SSH.NET sends only the fields that differ from the values
    /// it was built with, so it is built with the opposite bits and then given <paramref name="mode"/>.
    /// </summary>
    public static SftpFileAttributes PermissionsOnly(UnixFileMode mode)
    {
        var opposite = ~(uint)mode & PermissionMask;
        var attributes = (SftpFileAttributes)AttributesConstructor.Invoke([DateTime.MinValue, DateTime.MinValue, -1L, -1, -1, opposite, null]);
        Set(attributes, mode);
        return attributes;
    }
}
