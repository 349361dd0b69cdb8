using System.Buffers;
using Renci.SshNet.Sftp;

namespace RControl.Transports.Files;

/// <summary>
/// Reads a remote file front to back with up to <c>window</c> SFTP read requests in flight (pipelining, as OpenSSH
/// does): the next requests are already on the wire while the caller consumes an answer, so throughput is not one
/// round trip per request. Memory: at most <c>window × requestSize</c> of answers, in pooled buffers. Not seekable.
/// Disposing closes the handle.
/// </summary>
internal sealed class SftpReadStream : Stream
{
    private readonly SftpRawSession _raw;
    private readonly byte[] _handle;
    private readonly string _path;
    private readonly long _expectedSize;
    private uint _requestSize;
    private readonly int _window;
    private readonly LinkedList<ReadRequest> _inFlight = new();
    private readonly Stack<ReadRequest> _free = new();
    private ulong _nextOffset;
    private ReadRequest? _current;
    private int _currentStart;
    private long _position;
    private bool _endOfFile;
    private bool _disposed;

    /// <param name="expectedSize">The size from <c>stat</c>: requests go up to it, then one at a time until end of file.</param>
    /// <param name="start">Where reading starts (a resumed copy skips what the destination has).</param>
    public SftpReadStream(SftpRawSession raw, byte[] handle, string path, long expectedSize, uint requestSize, int window, long start = 0)
    {
        _nextOffset = (ulong)start;
        _position = start;
        _raw = raw;
        _handle = handle;
        _path = path;
        _expectedSize = expectedSize;
        _requestSize = requestSize;
        _window = window;
    }

    public override bool CanRead => !_disposed;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    /// <summary>Bytes asked per read request now: less than asked at first when the server answers less.</summary>
    internal uint RequestSize => _requestSize;

    /// <summary>The size the file had when opened.</summary>
    public override long Length => _expectedSize;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException("an SFTP read stream is read front to back");
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await ReadCoreAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw SftpFileSystem.Wrap(e, "read", _path);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("an SFTP read stream is read front to back");

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _current?.Release();
        _current = null;
        foreach (var request in _inFlight)
        {
            request.Abandon(); // its answer, if it still comes, is dropped
        }

        _inFlight.Clear();
        if (_raw.IsConnected)
        {
            try
            {
                await _raw.CloseAsync(_handle, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Nothing was written: a handle that fails to close loses no data (the server drops it with the channel).
            }
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }

    private async ValueTask<int> ReadCoreAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            if (_current is { } current)
            {
                var count = Math.Min(current.Count - _currentStart, buffer.Length);
                current.Data.AsMemory(_currentStart, count).CopyTo(buffer);
                _currentStart += count;
                if (_currentStart == current.Count)
                {
                    current.Release();
                    _free.Push(current);
                    _current = null;
                }

                _position += count;
                return count;
            }

            if (_endOfFile)
            {
                return 0;
            }

            Fill();
            var next = _inFlight.First!.Value;
            if (!next.IsAnswered)
            {
                // Wake once for all the answers this read can take, not once per answer: the later answers of the
                // batch are then consumed without waiting (a thread wake-up per answer costs more than the copy).
                await LastNeededFor(buffer.Length).AnsweredAsync(_raw, cancellationToken).ConfigureAwait(false);
            }

            _inFlight.RemoveFirst();
            await next.AnsweredAsync(_raw, cancellationToken).ConfigureAwait(false);
            if (next.Error is { } error)
            {
                throw error;
            }

            if (next.Count == 0)
            {
                next.Release();
                _endOfFile = true;
                continue;
            }

            if (next.Count < next.Length)
            {
                if (next.Offset + (ulong)next.Count < (ulong)_expectedSize && (uint)next.Count < _requestSize)
                {
                    _requestSize = (uint)next.Count; // the server's most per read: ask no more from now on
                }

                // A short answer before the end: ask for the rest before anything already in flight.
                var rest = Take();
                rest.Send(_raw, _handle, next.Offset + (ulong)next.Count, next.Length - (uint)next.Count);
                _inFlight.AddFirst(rest);
            }

            _current = next;
            _currentStart = 0;
        }
    }

    /// <summary>Keeps the window full up to the expected size; past it, one request at a time until end of file.</summary>
    private void Fill()
    {
        while (_inFlight.Count < _window && (_nextOffset < (ulong)_expectedSize || _inFlight.Count == 0))
        {
            var request = Take();
            request.Send(_raw, _handle, _nextOffset, _requestSize);
            _inFlight.AddLast(request);
            _nextOffset += _requestSize;
        }
    }

    /// <summary>The last request in flight whose answer <paramref name="length"/> bytes of reading would reach.</summary>
    private ReadRequest LastNeededFor(int length)
    {
        var node = _inFlight.First!;
        var covered = (long)node.Value.Length;
        while (covered < length && node.Next is { } next)
        {
            node = next;
            covered += node.Value.Length;
        }

        return node.Value;
    }

    private ReadRequest Take() => _free.Count > 0 ? _free.Pop() : new ReadRequest(_path);

    /// <summary>One read request, reused: its callbacks (made once) copy the answer into a pooled buffer.</summary>
    private sealed class ReadRequest
    {
        private readonly string _path;
        private readonly SftpCallbacks _callbacks;
        private TaskCompletionSource _answered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _abandoned;

        public ReadRequest(string path)
        {
            _path = path;
            _callbacks = SftpRawSession.Callbacks(OnData, OnStatus);
        }

        public ulong Offset { get; private set; }

        public uint Length { get; private set; }

        public byte[] Data { get; private set; } = [];

        public int Count { get; private set; }

        public Exception? Error { get; private set; }

        public bool IsAnswered => _answered.Task.IsCompleted;

        public void Send(SftpRawSession raw, byte[] handle, ulong offset, uint length)
        {
            (Offset, Length, Count, Error) = (offset, length, 0, null);
            _answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            raw.SendRead(handle, offset, length, _callbacks);
        }

        /// <summary>Waits for the answer; fails if the connection is lost meanwhile (its answer would never come).</summary>
        public Task AnsweredAsync(SftpRawSession raw, CancellationToken cancellationToken) =>
            _answered.Task.IsCompleted ? Task.CompletedTask : raw.WhileConnectedAsync(_answered.Task, cancellationToken);

        public void Release()
        {
            if (Data.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(Data);
                Data = [];
            }
        }

        public void Abandon()
        {
            _abandoned = true;
            if (_answered.Task.IsCompleted)
            {
                Release();
            }
        }

        private void OnData(ArraySegment<byte> data)
        {
            if (!_abandoned)
            {
                Data = ArrayPool<byte>.Shared.Rent(data.Count);
                data.AsSpan().CopyTo(Data);
                Count = data.Count;
            }

            _answered.TrySetResult();
        }

        private void OnStatus(StatusCode status, object response)
        {
            if (status != StatusCode.Eof)
            {
                Error = SftpRawSession.ToException(response, _path);
            }

            _answered.TrySetResult();
        }
    }
}
