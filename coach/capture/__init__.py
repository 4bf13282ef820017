"""Capture: where frames come from (camera, video file, image, folder) behind one
`FrameSource` interface, with our own timestamps. The first stage of the data flow."""
