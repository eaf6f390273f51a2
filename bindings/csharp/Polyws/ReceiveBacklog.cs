using System;

namespace Polyws
{
    /// <summary>
    /// Receive backpressure on the managed side. Counts the messages copied out of the
    /// library and not yet consumed: posted to the SynchronizationContext and not yet
    /// run, or waiting in the <see cref="MessageQueue"/> for ReceiveAsync. When they
    /// reach the high-water mark (<see cref="WebSocketSettings.ReceiveQueueCapacity"/>
    /// messages, or <see cref="WebSocketSettings.ReceiveLimit"/> bytes), the socket's
    /// events are paused in the library (ws_pause): the dispatching thread is never
    /// blocked, the library holds the next messages, they count against its receive
    /// limit, so it stops reading the socket and TCP pushes back on the server. Once
    /// the consumer is down to half of both marks, the socket resumes (ws_resume).
    /// </summary>
    internal sealed class ReceiveBacklog
    {
        private readonly object _lock = new object();
        private readonly int _maxMessages;
        private readonly ulong _maxBytes;
        // Called under _lock, so that a pause and the resume that follows it reach the
        // library in that order whatever threads take and consume.
        private readonly Action<bool> _setPaused;
        private int _messages;
        private ulong _bytes;
        private bool _paused;
        private bool _released;

        public ReceiveBacklog(int maxMessages, ulong maxBytes, Action<bool> setPaused)
        {
            _maxMessages = maxMessages;
            _maxBytes = maxBytes;
            _setPaused = setPaused;
        }

        /// <summary>Messages taken and not yet consumed.</summary>
        public int Messages
        {
            get { lock (_lock) return _messages; }
        }

        /// <summary>Their payload bytes.</summary>
        public ulong Bytes
        {
            get { lock (_lock) return _bytes; }
        }

        /// <summary>The socket's events are paused because the consumer is behind.</summary>
        public bool Paused
        {
            get { lock (_lock) return _paused; }
        }

        /// <summary>A message left the library and waits for its consumer.</summary>
        public void Taken(WebSocketMessage message)
        {
            lock (_lock)
            {
                _messages++;
                _bytes += (ulong)message.PayloadSize;
                if (_paused || _released) return;
                if (_messages < _maxMessages && _bytes < _maxBytes) return;
                _paused = true;
                _setPaused(true);
            }
        }

        /// <summary>The consumer has the message (or it was dropped).</summary>
        public void Consumed(WebSocketMessage message)
        {
            lock (_lock)
            {
                _messages--;
                _bytes -= (ulong)message.PayloadSize;
                if (!_paused) return;
                if (_messages > _maxMessages / 2 || _bytes > _maxBytes / 2) return;
                _paused = false;
                _setPaused(false);
            }
        }

        /// <summary>
        /// Holds nothing back any more (close() was called: messages are no longer
        /// delivered, and the closing handshake must be read).
        /// </summary>
        public void Release()
        {
            lock (_lock)
            {
                _released = true;
                if (!_paused) return;
                _paused = false;
                _setPaused(false);
            }
        }
    }
}
