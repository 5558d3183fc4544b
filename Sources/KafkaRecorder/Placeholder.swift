enum RecorderPlaceholder {}
